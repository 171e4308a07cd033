// Idempotency-Key for POST /api/sessions: a client retrying after a timeout gets the first answer
// (same status and body, so the same generated sessionId) instead of a second session. Keys live in
// the database for 24 h, scoped per API key, so every API instance sees them.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { sql } from 'kysely';
import { HttpError } from '../errors.js';
import type { Db } from '../../db/index.js';
import { principalOf } from './access.js';

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A claim this old with no answer belongs to a process that died mid-request: take it over. */
const ABANDONED_CLAIM_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  status: number;
  body: unknown;
  location?: string;
}

/** A stable JSON form (sorted keys), so the same body in another key order or spacing matches. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

let lastSweepMs = 0;

/**
 * Runs `handler` once per (client, Idempotency-Key): the first request runs it and stores the answer;
 * a repeat with the same body gets the stored answer; a repeat with another body gets 422; a repeat
 * while the first still runs gets 409. Without the header, `handler` just runs.
 */
export async function respondIdempotently(
  db: Db,
  req: Request,
  res: Response,
  body: unknown,
  handler: () => Promise<StoredResponse>,
  /** Adds what must not be stored with the answer (a fresh viewer token), to the first answer and to replays. */
  present: (stored: StoredResponse, replayed: boolean) => StoredResponse = (stored) => stored,
): Promise<void> {
  const send = (stored: StoredResponse, replayed = false) => {
    const r = present(stored, replayed);
    if (r.location) res.location(r.location);
    res.status(r.status).json(r.body);
  };
  const key = req.get('idempotency-key');
  if (key === undefined) return send(await handler());
  if (!KEY_PATTERN.test(key)) throw new HttpError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1–255 visible ASCII characters');

  const principal = principalOf(res);
  const scope = principal.kind === 'operator' ? `key:${principal.keyId}` : 'anonymous';
  const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');

  // Expired keys go in the background, at most once a minute per process.
  if (Date.now() - lastSweepMs > 60_000) {
    lastSweepMs = Date.now();
    void db.deleteFrom('idempotency_keys').where('expires_at', '<', sql<Date>`now()`).execute().catch(() => undefined);
  }

  for (let attempt = 0; attempt < 2; attempt++) {
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ scope, key, request_hash: requestHash, status: null, response: null, location: null, expires_at: new Date(Date.now() + IDEMPOTENCY_TTL_MS) })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (claimed) {
      let result: StoredResponse;
      try {
        result = await handler();
      } catch (error) {
        // Nothing was answered: release the key so the client's retry can run.
        await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).execute();
        throw error;
      }
      await db
        .updateTable('idempotency_keys')
        .set({ status: result.status, response: JSON.stringify(result.body), location: result.location ?? null })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
      return send(result);
    }

    const row = await db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    if (!row) continue; // released or swept meanwhile: claim it again
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('expires_at', '<=', new Date()).execute();
      continue;
    }
    if (row.request_hash !== requestHash) {
      throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body');
    }
    if (row.status === null && Date.now() - new Date(row.created_at).getTime() > ABANDONED_CLAIM_MS) {
      await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).where('status', 'is', null).where('created_at', '<', new Date(Date.now() - ABANDONED_CLAIM_MS)).execute();
      continue;
    }
    if (row.status === null) {
      res.set('Retry-After', '1');
      throw new HttpError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly');
    }
    res.set('Idempotent-Replayed', 'true');
    return send({ status: row.status, body: row.response, location: row.location ?? undefined }, true);
  }
  throw new HttpError(409, 'idempotency_key_in_progress', 'This Idempotency-Key is changing hands; retry shortly');
}
