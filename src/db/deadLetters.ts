// Dead letters: a session's shows that failed for good, with stage, error and attempts.
import { sql } from 'kysely';
import type { Db } from './index.js';
import type { LookupStatus } from './schema.js';
import { type StageName, STAGES, isCatalogChunkOwner, stageRow } from '../contracts/index.js';

/** A stage's columns on a `shows` row, from its row in the stage table. */
export function stageColumns(stage: StageName) {
  const prefix = stageRow(stage).showColumns;
  return { status: `${prefix}_status`, error: `${prefix}_error`, checkedAt: `${prefix}_checked_at` } as const;
}

/**
 * Whether a show's stored outcome for a stage still stands: settled (matched, or not on the
 * service) and checked within `ttlMs`. A failed show has no check time, so it never stands.
 */
export function outcomeStands(status: LookupStatus, checkedAt: Date | string | null, ttlMs = Infinity, now = Date.now()): boolean {
  if (checkedAt === null || (status !== 'matched' && status !== 'not_found')) return false;
  return now - new Date(checkedAt).getTime() < ttlMs;
}

/**
 * Shows that failed for good at a stage: the reason goes on their rows (no check time, so the next
 * session tries them again) and into a dead letter each, which an operator can re-drive.
 */
export async function writeOffShows(db: Db, input: { sessionId: string; stage: DeadLetter['stage']; showIds: number[]; reason: string; attempts: number }): Promise<void> {
  if (input.showIds.length === 0) return;
  const reason = input.reason.slice(0, 500);
  const columns = stageColumns(input.stage);
  // What a failed stage leaves on the row: its status, its reason, no check time, and none of its findings.
  const cleared = Object.fromEntries(stageRow(input.stage).clearOnWriteOff.map((column) => [column, null]));
  await db
    .updateTable('shows')
    .set({ ...cleared, [columns.status]: 'failed', [columns.error]: reason, [columns.checkedAt]: null } as never)
    .where('id', 'in', input.showIds)
    .execute();
  // A catalog crawl's chunk has no session to re-drive it: the row's reason is the whole record.
  if (isCatalogChunkOwner(input.sessionId)) return;
  for (const showId of input.showIds) {
    await recordDeadLetter(db, { sessionId: input.sessionId, showId, stage: input.stage, error: input.reason, attempts: input.attempts });
  }
}

export interface DeadLetter {
  sessionId: string;
  showId: number;
  stage: StageName;
  error: string;
  attempts: number;
}

async function recordDeadLetter(db: Db, letter: DeadLetter): Promise<void> {
  const error = letter.error.slice(0, 1000);
  await db
    .insertInto('dead_letters')
    .values({ session_id: letter.sessionId, show_id: letter.showId, stage: stageRow(letter.stage).deadLetterStage as StageName, error, attempts: letter.attempts })
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
      and (${sql.join(
        STAGES.map((row) => sql`(d.stage = ${row.deadLetterStage} and ${sql.ref(`s.${stageColumns(row.name).status}`)} in ('matched', 'not_found'))`),
        sql` or `,
      )})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
