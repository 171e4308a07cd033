// The one way a route turns `:id` into a session: a malformed id is a 400, an unknown one a 404.
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { HttpError } from './errors.js';

export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

export function parseSessionId(id: unknown): string {
  const parsed = sessionIdSchema.safeParse(id);
  if (!parsed.success) throw new HttpError(400, 'invalid_session_id', `sessionId ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export async function findSession(db: Db, id: unknown) {
  const sessionId = parseSessionId(id);
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  if (!row) throw new HttpError(404, 'not_found', `No session ${sessionId}`);
  return row;
}
