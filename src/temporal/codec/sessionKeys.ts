// Per-session payload keys, for crypto-shredding. Temporal histories cannot be edited, so every
// payload that belongs to a session (its workflows, children, activities, refreshes and re-drives:
// workflow ids `session-<id>…`) is encrypted with a data key of that session's own. The data key is
// kept in PostgreSQL wrapped (AES-256-GCM) under the active master payload key. Forgetting a session
// destroys its data key and leaves a tombstone, so its payloads answer "erased" everywhere from then
// on, while every other session still decodes.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { type PayloadKey, PayloadKeyError } from '../../config/payloadKeys.js';

/** A payload of a session that was forgotten: its key is gone for good. */
export class SessionErasedError extends PayloadKeyError {
  override name = 'SessionErasedError';
}

export interface SessionKeyring {
  /** The session's data key, created on its first payload. Refuses a forgotten session. */
  keyForSession(sessionId: string): Promise<PayloadKey>;
  /** A data key by the id a payload carries; SessionErasedError once destroyed. */
  keyById(keyId: string): Promise<Buffer>;
  /** Destroys the session's data keys (crypto-shredding); idempotent. */
  destroy(sessionId: string): Promise<{ keyIds: string[]; erasedAt: Date }>;
}

export const SESSION_KEY_PREFIX = 'session.';
/** Other processes may hold a data key this long after it is destroyed (the API and workers cache them). */
export const SESSION_KEY_CACHE_MS = 60_000;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const wrapAad = (keyId: string) => Buffer.from(`showprint/session-key/v1:${keyId}`, 'utf8');
/** The tombstone names the session only by this digest: it cannot be listed back to session ids. */
export const sessionDigest = (sessionId: string) => createHash('sha256').update(`showprint session\n${sessionId}`).digest('hex');

interface Cached<T> {
  value: T;
  until: number;
}

export function createSessionKeyring(db: Db, masterKeys: readonly PayloadKey[], now: () => number = Date.now): SessionKeyring {
  if (masterKeys.length === 0) throw new PayloadKeyError('the session keyring needs a master payload key');
  const master = masterKeys[0];
  const masterById = new Map(masterKeys.map((k) => [k.id, k.key]));
  const bySession = new Map<string, Cached<PayloadKey>>();
  const byId = new Map<string, Cached<Buffer>>();
  const erased = new Set<string>();

  const wrap = (keyId: string, key: Buffer) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master.key, iv);
    cipher.setAAD(wrapAad(keyId));
    return Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  };
  const unwrap = (keyId: string, masterKeyId: string, wrapped: Buffer) => {
    const kek = masterById.get(masterKeyId);
    if (!kek) throw new PayloadKeyError(`session key "${keyId}" is wrapped with master key "${masterKeyId}", which is not configured; add it to PAYLOAD_KEYS after the active one`);
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, IV_BYTES));
    decipher.setAAD(wrapAad(keyId));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadKeyError(`session key "${keyId}" failed authentication: wrong master key or tampered row`);
    }
  };
  const fresh = <T>(entry: Cached<T> | undefined) => (entry && entry.until > now() ? entry.value : undefined);
  const remember = (sessionId: string, key: PayloadKey) => {
    bySession.set(sessionId, { value: key, until: now() + SESSION_KEY_CACHE_MS });
    byId.set(key.id, { value: key.key, until: now() + SESSION_KEY_CACHE_MS });
  };
  const erasedError = (what: string) => new SessionErasedError(`${what} belongs to a session that was erased ("forget me"); its key was destroyed and its payloads can never be read again`);

  return {
    async keyForSession(sessionId) {
      const cached = fresh(bySession.get(sessionId));
      if (cached) return cached;
      const digest = sessionDigest(sessionId);
      if (erased.has(digest)) throw erasedError(`session ${sessionId}`);
      for (let attempt = 0; attempt < 2; attempt++) {
        const row = await db.selectFrom('session_keys').select(['key_id', 'master_key_id', 'wrapped_key']).where('session_id', '=', sessionId).executeTakeFirst();
        if (row) {
          const key = { id: row.key_id, key: unwrap(row.key_id, row.master_key_id, Buffer.from(row.wrapped_key)) };
          remember(sessionId, key);
          return key;
        }
        const tombstone = await db.selectFrom('erased_session_keys').select('erased_at').where('session_digest', '=', digest).executeTakeFirst();
        if (tombstone) {
          erased.add(digest);
          throw erasedError(`session ${sessionId}`);
        }
        const keyId = `${SESSION_KEY_PREFIX}${randomBytes(16).toString('base64url')}`;
        // Two processes may race for a session's first payload: one insert wins, both read it back.
        await db
          .insertInto('session_keys')
          .values({ session_id: sessionId, key_id: keyId, master_key_id: master.id, wrapped_key: wrap(keyId, randomBytes(32)) })
          .onConflict((oc) => oc.column('session_id').doNothing())
          .execute();
      }
      throw new PayloadKeyError(`could not create a payload key for session ${sessionId}`);
    },

    async keyById(keyId) {
      const cached = fresh(byId.get(keyId));
      if (cached) return cached;
      if (erased.has(keyId)) throw erasedError(`a payload encrypted with key "${keyId}"`);
      const row = await db.selectFrom('session_keys').select(['session_id', 'master_key_id', 'wrapped_key']).where('key_id', '=', keyId).executeTakeFirst();
      if (row) {
        const key = unwrap(keyId, row.master_key_id, Buffer.from(row.wrapped_key));
        remember(row.session_id, { id: keyId, key });
        return key;
      }
      const tombstone = await db.selectFrom('erased_session_keys').select('erased_at').where('key_id', '=', keyId).executeTakeFirst();
      if (tombstone) {
        erased.add(keyId);
        throw erasedError(`a payload encrypted with key "${keyId}"`);
      }
      throw new PayloadKeyError(`a payload is encrypted with session key "${keyId}", which this database does not hold (another deployment's payload?)`);
    },

    async destroy(sessionId) {
      const digest = sessionDigest(sessionId);
      const result = await db.transaction().execute(async (tx) => {
        const rows = await tx.deleteFrom('session_keys').where('session_id', '=', sessionId).returning('key_id').execute();
        const existing = await tx.selectFrom('erased_session_keys').select(['key_id', 'erased_at']).where('session_digest', '=', digest).executeTakeFirst();
        if (existing) return { keyIds: existing.key_id ? [existing.key_id] : [], erasedAt: new Date(existing.erased_at) };
        const keyId = rows[0]?.key_id ?? null;
        const inserted = await tx.insertInto('erased_session_keys').values({ session_digest: digest, key_id: keyId }).returning('erased_at').executeTakeFirstOrThrow();
        return { keyIds: keyId ? [keyId] : [], erasedAt: new Date(inserted.erased_at) };
      });
      const cached = bySession.get(sessionId);
      bySession.delete(sessionId);
      if (cached) byId.delete(cached.value.id);
      for (const id of result.keyIds) {
        byId.delete(id);
        erased.add(id);
      }
      erased.add(digest);
      return result;
    },
  };
}
