// The one way a route turns `:id` into a session: a malformed id is a 400, an unknown one a 404.
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { DATA_SOURCE, SESSION_STATES, type SessionProgress, type SessionState, SessionStateKey, isTerminalState, progressQuery, sessionWorkflowId } from '../contracts/index.js';
import type { Db } from '../db/index.js';
import { HttpError } from './errors.js';

export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');

export function parseSessionId(id: unknown): string {
  const parsed = sessionIdSchema.safeParse(id);
  if (!parsed.success) throw new HttpError(400, 'invalid_session_id', `sessionId ${parsed.error.issues[0].message}`);
  return parsed.data;
}

export type SessionRow = NonNullable<Awaited<ReturnType<typeof readRow>>>;

const readRow = (db: Db, sessionId: string) => db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();

/**
 * The session's projection row. The workflow writes it (its only writer) with its first activity,
 * so for a moment after a start there is a workflow and no row yet: the row is then read off the
 * running workflow (its SessionState search attribute) instead.
 */
export async function findSession(db: Db, client: Client, id: unknown): Promise<SessionRow> {
  const sessionId = parseSessionId(id);
  const row = await readRow(db, sessionId);
  if (row) return row;
  const workflowId = sessionWorkflowId(sessionId);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    // A closed workflow without a row was forgotten (or closed before its first write): nothing to show.
    if (d.status.name !== 'RUNNING') throw new HttpError(404, 'not_found', `No session ${sessionId}`);
    const state = d.typedSearchAttributes.get(SessionStateKey);
    return {
      id: sessionId,
      workflow_id: workflowId,
      data_source: DATA_SOURCE,
      state: state && (SESSION_STATES as readonly string[]).includes(state) ? (state as SessionState) : 'PROCESSING',
      failure_reason: null,
      created_at: d.startTime,
      updated_at: d.startTime,
      completed_at: null,
    };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new HttpError(404, 'not_found', `No session ${sessionId}`);
    throw error;
  }
}

/** A session's state as every route reads it. */
export interface SessionStateView {
  state: SessionState;
  failureReason: string | null;
  /** The running workflow's progress; null once the session is terminal, when not asked for, or when the query failed. */
  progress: SessionProgress | null;
}

/**
 * The one way a route reads a session's state. A terminal row is final (the workflow writes it
 * last). While the session runs, the workflow knows its state a moment before its activity writes
 * the row, so its progress query decides: what GET showed, POST accepts. `live: false` reads the
 * row alone (no query, which is a billed action) for a route that only needs "is it over?".
 */
export async function readSessionState(client: Client, row: SessionRow, { live = true } = {}): Promise<SessionStateView> {
  const progress =
    live && !isTerminalState(row.state)
      ? await client.workflow
          .getHandle(row.workflow_id)
          .query(progressQuery)
          .catch(() => null)
      : null;
  return { state: progress?.state ?? row.state, failureReason: progress?.failureReason ?? row.failure_reason, progress };
}
