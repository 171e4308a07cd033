// Signals, queries and workflow ids, shared by the workflows, the API, the CLI and operators'
// `temporal workflow signal/query` commands.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChunkReport } from './chunks.js';
import type { StageRow } from './pipeline.js';
import type { PauseRequest, ServiceThrottled, SessionProgress } from './session.js';

/** Delivers the viewer's dataKey to a session started without one. */
export const connectSignal = defineSignal<[{ dataKey: string }]>('connect');
/** The same as an Update: accepted only by a session still waiting for its key, so the caller knows its key was taken. */
export const connectUpdate = defineUpdate<{ accepted: true }, [{ dataKey: string }]>('connectKey');
/**
 * A stage's chunk child finished its chunk (sent to the session's workflow id, so it reaches the
 * latest run); each stage has its own signal name (the table's `signal`).
 */
export const stageSignal = (row: Pick<StageRow, 'signal'>) => defineSignal<[ChunkReport]>(row.signal);
/** A crawl chunk's activity: RT has refused it for pace past the throttle patience, or answers again. */
export const serviceThrottledSignal = defineSignal<[ServiceThrottled]>('serviceThrottled');
/** Re-run a session's dead-lettered shows (sent with signal-with-start to RedriveWorkflow). */
export const redriveSignal = defineSignal('redrive');
/**
 * Holds a session: it starts no new activity or child until `resume`; what is in flight finishes,
 * and a provisional report still comes at its deadline. Returns the progress with the pause in it.
 */
export const pauseUpdate = defineUpdate<SessionProgress, [PauseRequest]>('pause');
export const resumeUpdate = defineUpdate<SessionProgress, []>('resume');
/** Live per-stage progress, with an ETA. */
export const progressQuery = defineQuery<SessionProgress>('progress');

export const sessionWorkflowId = (sessionId: string) => `session-${sessionId}`;
/** session-<id>, session-<id>/crawl/3, session-<id>/refresh-… → <id>: every workflow a session owns. */
export const sessionIdOfWorkflowId = (workflowId: unknown): string | undefined =>
  typeof workflowId === 'string' ? /^session-([^/]+)/.exec(workflowId)?.[1] : undefined;
/** A session's chunk child of a stage: derived from the chunk, so a repeated start finds the existing child. */
export const stageWorkflowId = (parentId: string, row: Pick<StageRow, 'childIdSegment'>, chunk: number) => `${parentId}/${row.childIdSegment}/${chunk}`;
export const redriveWorkflowId = (sessionId: string) => `${sessionWorkflowId(sessionId)}/redrive`;
/** A session's refresh schedule, and the workflow id each of its runs starts from. */
export const refreshScheduleId = (sessionId: string) => `refresh-${sessionId}`;
export const refreshWorkflowId = (sessionId: string) => `${sessionWorkflowId(sessionId)}/refresh`;
