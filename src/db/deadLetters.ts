// Dead letters: a session's shows that failed for good, with stage, error and attempts.
import { sql } from 'kysely';
import type { Db } from './index.js';

export interface DeadLetter {
  sessionId: string;
  showId: number;
  stage: 'showData' | 'crawl';
  error: string;
  attempts: number;
}

export async function recordDeadLetter(db: Db, letter: DeadLetter): Promise<void> {
  const error = letter.error.slice(0, 1000);
  await db
    .insertInto('dead_letters')
    .values({ session_id: letter.sessionId, show_id: letter.showId, stage: letter.stage, error, attempts: letter.attempts })
    .onConflict((oc) =>
      oc.columns(['session_id', 'show_id', 'stage']).doUpdateSet({
        error,
        attempts: sql`dead_letters.attempts + excluded.attempts`,
        last_failed_at: new Date(),
        resolved_at: null,
      }),
    )
    .execute();
}

export async function listDeadLetters(db: Db, sessionId: string, includeResolved = false) {
  let q = db
    .selectFrom('dead_letters')
    .innerJoin('shows', 'shows.id', 'dead_letters.show_id')
    .select(['dead_letters.show_id', 'shows.name', 'dead_letters.stage', 'dead_letters.error', 'dead_letters.attempts', 'dead_letters.first_failed_at', 'dead_letters.last_failed_at', 'dead_letters.resolved_at'])
    .where('dead_letters.session_id', '=', sessionId)
    .orderBy('dead_letters.stage')
    .orderBy('dead_letters.show_id');
  if (!includeResolved) q = q.where('dead_letters.resolved_at', 'is', null);
  return q.execute();
}

/** Marks as resolved the letters whose show now has a finished outcome for that stage. */
export async function resolveDeadLetters(db: Db, sessionId: string): Promise<number> {
  const result = await sql`
    update dead_letters d set resolved_at = now()
    from shows s
    where d.session_id = ${sessionId} and d.resolved_at is null and s.id = d.show_id
      and ((d.stage = 'showData' and s.tmdb_status in ('matched', 'not_found'))
        or (d.stage = 'crawl' and s.rt_status in ('matched', 'not_found')))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
