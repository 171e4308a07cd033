// Blend activities: whether both sessions are done, building the Blend from their stored rows, and
// erasing every Blend of a forgotten session (rows, workflow and its payload key). BlendWorkflow is
// the only writer of a Blend's state and report; the API only creates the row.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import type { AiClient } from '../src/clients/openai.js';
import { type BlendInput, type BlendReport, blendWorkflowId } from '../src/contracts/blend.js';
import { isTerminalState } from '../src/contracts/index.js';
import type { Db } from '../src/db/index.js';
import { loadSessionStats } from '../src/db/stats.js';
import { blendLineQuestion } from '../src/domain/ai/blendLine.js';
import { type BlendSide, blendFacts } from '../src/domain/blend.js';
import { imageUrl, round2 } from '../src/domain/report.js';
import { type SessionKeyring, sessionDigest } from '../src/temporal/codec/sessionKeys.js';

export interface BlendDeps {
  db: Db;
  ai: AiClient;
  client?: Client;
  sessionKeys?: SessionKeyring;
}

export type BlendReadiness = { ready: true } | { ready: false; waitingFor: number } | { failed: string };

/** One viewer's side, read from their session's stored rows. */
async function loadSide(db: Db, sessionId: string): Promise<BlendSide> {
  const stats = await loadSessionStats(db, sessionId);
  const scores = await db
    .selectFrom('shows')
    .select(['id', sql<number | null>`coalesce(critics_score, audience_score)`.as('score'), 'poster_path'])
    .where('id', 'in', (qb) => qb.selectFrom('episodes').select('show_id').where('session_id', '=', sessionId))
    .execute();
  const byId = new Map(scores.map((s) => [s.id, s]));
  const genreRows = await sql<{ genre: string; n: string; total: string }>`
    select g.genre, count(*) as n, sum(count(*)) over () as total
    from show_genres g
    where g.show_id in (select distinct show_id from episodes where session_id = ${sessionId})
    group by g.genre`.execute(db);
  return {
    shows: stats.shows.map((s) => ({ showId: s.showId, name: s.name, episodes: s.episodes, posterUrl: s.posterUrl ?? imageUrl(byId.get(s.showId)?.poster_path), rtScore: byId.get(s.showId)?.score ?? null })),
    genreShares: new Map(genreRows.rows.map((r) => [r.genre, round2((Number(r.n) / Number(r.total)) * 100)])),
    rtTaste: stats.rtScore?.score ?? null,
  };
}

/** Top genre names of a side, for the line's prompt. */
const topGenres = (side: BlendSide) => [...side.genreShares].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3).map(([g]) => g);

export function createBlendActivities({ db, ai }: Pick<BlendDeps, 'db' | 'ai'>) {
  return {
    /** Both sessions finished: ready; either still running: waiting; either failed or forgotten: failed. */
    async blendReadiness({ sessionA, sessionB }: BlendInput): Promise<BlendReadiness> {
      const rows = await db.selectFrom('sessions').select(['id', 'state']).where('id', 'in', [sessionA, sessionB]).execute();
      if (rows.length < 2) {
        // No row: forgotten (its tombstone says so), or just started (its workflow writes the row first thing).
        const missing = [sessionA, sessionB].filter((id) => !rows.some((r) => r.id === id));
        const erased = await db.selectFrom('erased_session_keys').select('key_id').where('session_digest', 'in', missing.map(sessionDigest)).executeTakeFirst();
        if (erased) return { failed: 'one of the two reports was erased' };
        return { ready: false, waitingFor: 2 - rows.filter((r) => isTerminalState(r.state)).length };
      }
      if (rows.some((r) => r.state === 'FAILED')) return { failed: 'one of the two reports could not be made' };
      const running = rows.filter((r) => !isTerminalState(r.state)).length;
      return running === 0 ? { ready: true } : { ready: false, waitingFor: running };
    },

    /** Builds the Blend from both sessions' rows, asks for its line and stores it (a retry stores the same kind of report again). */
    async buildBlend({ blendId, sessionA, sessionB }: BlendInput): Promise<{ matchScore: number }> {
      const [a, b] = [await loadSide(db, sessionA), await loadSide(db, sessionB)];
      const facts = blendFacts(blendId, a, b);
      const answer = await ai.ask(blendLineQuestion, { matchScore: facts.matchScore, sharedShows: facts.sharedShows.map((s) => s.name), genresA: topGenres(a), genresB: topGenres(b) });
      const report: BlendReport = { ...facts, generatedAt: new Date().toISOString(), line: answer.output.line, lineSource: answer.source };
      await db.updateTable('blends').set({ state: 'COMPLETED', report: JSON.stringify(report), completed_at: new Date(), failure_reason: null }).where('id', '=', blendId).execute();
      return { matchScore: report.matchScore };
    },

    async recordBlendFailure({ blendId, reason }: { blendId: string; reason: string }): Promise<void> {
      await db.updateTable('blends').set({ state: 'FAILED', failure_reason: reason }).where('id', '=', blendId).where('state', '!=', 'COMPLETED').execute();
    },
  };
}

/**
 * Forgetting a session erases every Blend it is in: the Blend's workflow is terminated, its rows
 * deleted, and its payload key destroyed (the same crypto-shredding as a session's), and the
 * session's invitations go. Idempotent: a retry finds less to do. Returns the counts by table.
 */
export async function eraseBlendsOf({ db, client, sessionKeys }: Omit<BlendDeps, 'ai'>, sessionId: string): Promise<Record<string, number>> {
  const blends = await db.selectFrom('blends').select('id').where((eb) => eb.or([eb('session_a', '=', sessionId), eb('session_b', '=', sessionId)])).execute();
  for (const { id } of blends) {
    if (client) {
      await client.workflow
        .getHandle(blendWorkflowId(id))
        .terminate('forgotten: a viewer of this Blend asked to be erased')
        .catch((e: unknown) => (e instanceof WorkflowNotFoundError ? undefined : Promise.reject(e)));
    }
    await sessionKeys?.destroy(blendWorkflowId(id));
  }
  const deleted = blends.length === 0 ? 0 : Number((await db.deleteFrom('blends').where('id', 'in', blends.map((b) => b.id)).executeTakeFirst()).numDeletedRows);
  const invitations = await db.deleteFrom('blend_invitations').where('inviter_session_id', '=', sessionId).executeTakeFirst();
  return { blends: deleted, blend_invitations: Number(invitations.numDeletedRows) };
}
