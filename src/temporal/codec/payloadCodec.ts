// Encrypts every Temporal payload (workflow inputs, signals, activity arguments and results, query
// answers, heartbeats) with AES-256-GCM before it leaves the process, so the Temporal server and
// its history never hold a viewer's dataKey or watch history in the clear.
import { existsSync } from 'node:fs';
import type { DataConverter, Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { payloadKeyOwner } from '../../contracts/blend.js';
import type { SessionKeyring } from './sessionKeys.js';
import { type PayloadKey, PayloadKeyError } from '../../config/payloadKeys.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

// The plaintext is the whole original payload (metadata too: its `encoding` tells the receiver how
// to read the data). Framing: version, entry count, then (u16 key length, key, u32 value length,
// value) per metadata entry, then the data.
function serialize(payload: Payload): Buffer {
  const entries = Object.entries(payload.metadata ?? {});
  const parts: Buffer[] = [Buffer.from([FORMAT_VERSION]), u16(entries.length)];
  for (const [k, v] of entries) {
    const kb = Buffer.from(k, 'utf8');
    parts.push(u16(kb.length), kb, u32(v?.length ?? 0), Buffer.from(v ?? new Uint8Array()));
  }
  parts.push(Buffer.from(payload.data ?? new Uint8Array()));
  return Buffer.concat(parts);
}

function deserialize(buf: Buffer): Payload {
  if (buf[0] !== FORMAT_VERSION) throw new PayloadKeyError(`unknown encrypted payload format ${buf[0]}`);
  let at = 1;
  const count = buf.readUInt16BE(at);
  at += 2;
  const metadata: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const kl = buf.readUInt16BE(at);
    const key = buf.subarray(at + 2, at + 2 + kl).toString('utf8');
    at += 2 + kl;
    const vl = buf.readUInt32BE(at);
    metadata[key] = new Uint8Array(buf.subarray(at + 4, at + 4 + vl));
    at += 4 + vl;
  }
  return { metadata, data: new Uint8Array(buf.subarray(at)) };
}

function u16(n: number) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The key id is authenticated too, so a payload cannot be relabelled to another key. */
const aad = (keyId: string) => Buffer.from(`showprint/payload/v${FORMAT_VERSION}:${keyId}`, 'utf8');

/** Marks a payload sealed with a session's own key (sessionKeys.ts) rather than a master key. */
export const KEY_KIND_METADATA = 'encryption-key-kind';

function seal(payload: Payload, keyId: string, key: Buffer, kind?: 'session'): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(keyId));
  const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
  return {
    metadata: {
      encoding: utf8.encode(ENCRYPTED_ENCODING),
      [KEY_ID_METADATA]: utf8.encode(keyId),
      ...(kind ? { [KEY_KIND_METADATA]: utf8.encode(kind) } : {}),
    },
    data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
  };
}

function open(payload: Payload, keyId: string, key: Buffer): Payload {
  const data = Buffer.from(payload.data ?? new Uint8Array());
  if (data.length < IV_BYTES + TAG_BYTES + 1) throw new PayloadKeyError(`an encrypted payload (key "${keyId}") is truncated`);
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAAD(aad(keyId));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return deserialize(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
  } catch {
    throw new PayloadKeyError(`an encrypted payload (key "${keyId}") failed authentication: wrong key or tampered data`);
  }
}

/**
 * AES-256-GCM over every payload. With a session keyring, a payload whose workflow belongs to a
 * session (the SDK's serialization context names the workflow) is sealed with that session's own
 * key, so forgetting the session makes it unreadable; anything else uses the active master key.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  readonly activeKeyId: string;

  /**
   * `refusePlaintext`: a payload that is not encrypted fails to decode instead of being read as it
   * is. Outside the local demo, anyone who can reach the Temporal frontend could otherwise start or
   * signal a workflow with a plaintext input that the worker would process as real.
   */
  constructor(
    keys: PayloadKey[],
    private readonly sessionKeys?: SessionKeyring,
    private readonly opts: { refusePlaintext?: boolean } = {},
  ) {
    if (keys.length === 0) throw new PayloadKeyError('the payload codec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new PayloadKeyError(`key "${k.id}" is not 32 bytes`);
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.activeKeyId = keys[0].id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const sessionId = this.sessionKeys && payloadKeyOwner(context?.workflowId);
    if (sessionId && this.sessionKeys) {
      const sessionKey = await this.sessionKeys.keyForSession(sessionId);
      return payloads.map((payload) => seal(payload, sessionKey.id, sessionKey.key, 'session'));
    }
    const key = this.byId.get(this.activeKeyId)!;
    return payloads.map((payload) => seal(payload, this.activeKeyId, key));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const payload of payloads) {
      // Payloads written before encryption was turned on (and the replay corpus) stay readable, in the local demo.
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) {
        if (this.opts.refusePlaintext) throw new PayloadKeyError('a payload is not encrypted: refused (only showprint\'s own clients, with its payload keys, may send payloads; DEPLOYMENT=local accepts plaintext)');
        out.push(payload);
        continue;
      }
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new PayloadKeyError(`an encrypted payload carries no ${KEY_ID_METADATA} metadata`);
      out.push(open(payload, keyId, await this.keyFor(keyId, text(payload.metadata?.[KEY_KIND_METADATA]))));
    }
    return out;
  }

  private async keyFor(keyId: string, kind: string | undefined): Promise<Buffer> {
    if (kind === 'session') {
      if (!this.sessionKeys) throw new PayloadKeyError(`a payload is encrypted with session key "${keyId}"; decoding it needs the database (DATABASE_URL) that holds the session keys`);
      return this.sessionKeys.keyById(keyId);
    }
    const key = this.byId.get(keyId);
    if (!key) {
      throw new PayloadKeyError(
        `a payload is encrypted with key id "${keyId}", which is not configured (known: ${this.keyIds.join(', ')}); add that key to PAYLOAD_KEYS after the active one`,
      );
    }
    return key;
  }
}

/** Moves failure messages and stack traces into payloads, so the codec encrypts them too. */
// `.ts` under tsx (dev, tests), `.js` when this runs compiled from dist/.
export const failureConverterPath = existsSync(new URL('./failureConverter.ts', import.meta.url))
  ? createRequire(import.meta.url).resolve('./failureConverter.ts')
  : createRequire(import.meta.url).resolve('./failureConverter.js');

/**
 * The data converter every showprint client and worker uses: the SDK's JSON converter, failures
 * with encoded messages, and this codec. Workflow bundles built ahead need the same failureConverterPath.
 */
export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
