// API key checks. Keys are compared as SHA-256 digests with timingSafeEqual, against every
// configured key without stopping early, so neither the content nor the length of a key leaks
// through response timing.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class ApiKeySet {
  private readonly digests: { id: string; digest: Buffer }[];
  private readonly uiTokens: { id: string; digest: Buffer }[];

  constructor(keys: string[]) {
    this.digests = keys.map((key) => ({ id: keyId(key), digest: digest(key) }));
    this.uiTokens = keys.map((key) => ({ id: keyId(key), digest: digest(codecUiToken(key)) }));
  }

  get size(): number {
    return this.digests.length;
  }

  /** The matching key's id (a short, non-secret fingerprint), or undefined. */
  match(presented: string): string | undefined {
    return findConstantTime(this.digests, digest(presented));
  }

  /** Matches a token from a codec URL (`/codec/ui/<token>`): good for /codec only. */
  matchCodecToken(presented: string): string | undefined {
    return findConstantTime(this.uiTokens, digest(presented));
  }
}

function findConstantTime(candidates: { id: string; digest: Buffer }[], presented: Buffer): string | undefined {
  let found: string | undefined;
  for (const c of candidates) {
    if (timingSafeEqual(c.digest, presented) && found === undefined) found = c.id;
  }
  return found;
}

/** A non-secret fingerprint of a key: names a client in rate limits and idempotency scopes. */
export function keyId(key: string): string {
  return digest(key).subarray(0, 6).toString('hex');
}

/**
 * The Temporal Web UI cannot send our API key (it only forwards its own OIDC token, and only over
 * HTTPS), so its codec URL carries this token in the path instead. It is derived from an API key
 * but only opens /codec: leaking the UI's settings does not let anyone start or cancel sessions.
 */
export function codecUiToken(apiKey: string): string {
  return createHmac('sha256', apiKey).update('showprint codec ui v1').digest('base64url');
}

/** `Authorization: Bearer <token>` → the token; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
  return m?.[1];
}
