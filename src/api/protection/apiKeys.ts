// Operator API keys and their scopes. Keys are compared as SHA-256 digests with timingSafeEqual,
// against every configured key without stopping early, so neither the content nor the length of
// a key leaks through response timing.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type OperatorScope, parseApiKeyEntry } from '../../config/apiKeys.js';

export interface MatchedKey {
  /** A short, non-secret fingerprint: names the key in rate limits, idempotency scopes and logs. */
  id: string;
  scopes: readonly OperatorScope[];
}

/**
 * The bare key of the first entry that has every scope `needed` (what a local tool acting on the API
 * picks from API_KEYS), or which scopes no entry has, to say so.
 */
export function keyWithScopes(entries: readonly string[], needed: readonly OperatorScope[]): { key: string } | { missing: OperatorScope[] } {
  const parsed = entries.map(parseApiKeyEntry);
  const found = parsed.find(({ scopes }) => needed.every((s) => scopes.includes(s)));
  if (found) return { key: found.key };
  return { missing: needed.filter((s) => !parsed.some(({ scopes }) => scopes.includes(s))) };
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

interface Candidate extends MatchedKey {
  digest: Buffer;
}

export class ApiKeySet {
  private readonly keys: Candidate[];
  private readonly uiTokens: Candidate[];

  /** `codecSecret`: signs the Web UI's codec tokens (CODEC_TOKEN_SECRET); without it there are none. */
  constructor(entries: string[], codecSecret?: string) {
    const parsed = entries.map(parseApiKeyEntry);
    this.keys = parsed.map(({ key, scopes }) => ({ id: keyId(key), scopes, digest: digest(key) }));
    // Decoding payloads is reading: only a key that may read has a codec token.
    this.uiTokens = codecSecret
      ? parsed.filter(({ scopes }) => scopes.includes('read')).map(({ key }) => ({ id: keyId(key), scopes: [], digest: digest(codecUiToken(codecSecret, key)) }))
      : [];
  }

  get size(): number {
    return this.keys.length;
  }

  /** The ids and scopes of the configured keys (no secrets): what GET /api/keys shows an admin. */
  list(): MatchedKey[] {
    return this.keys.map(({ id, scopes }) => ({ id, scopes }));
  }

  /** The matching key, or undefined. */
  match(presented: string): MatchedKey | undefined {
    const found = findConstantTime(this.keys, digest(presented));
    return found && { id: found.id, scopes: found.scopes };
  }

  /** Matches a token from a codec URL (`/codec/ui/<token>`): good for /codec only. */
  matchCodecToken(presented: string): string | undefined {
    return findConstantTime(this.uiTokens, digest(presented))?.id;
  }
}

function findConstantTime(candidates: Candidate[], presented: Buffer): Candidate | undefined {
  let found: Candidate | undefined;
  for (const c of candidates) {
    if (timingSafeEqual(c.digest, presented) && found === undefined) found = c;
  }
  return found;
}

/** A non-secret fingerprint of a key. */
export function keyId(key: string): string {
  return digest(key).subarray(0, 6).toString('hex');
}

/**
 * The Temporal Web UI cannot send our API key (it only forwards its own OIDC token, and only over
 * HTTPS), so its codec URL carries this token in the path instead. It only opens /codec, exists only
 * for keys with the `read` scope, and is an HMAC of the key's id under its own secret
 * (CODEC_TOKEN_SECRET): rotating that secret voids every codec URL without touching the API keys,
 * and a leaked codec URL says nothing about the key. Takes an `API_KEYS` entry or a bare key.
 */
export function codecUiToken(codecSecret: string, apiKeyEntry: string): string {
  return createHmac('sha256', codecSecret).update(`showprint codec ui v2\n${keyId(parseApiKeyEntry(apiKeyEntry).key)}`).digest('base64url');
}

/** `Authorization: Bearer <token>` → the token; anything else → undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
  return m?.[1];
}
