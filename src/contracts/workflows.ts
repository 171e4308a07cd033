// The workflow types the worker registers, by name and signature, so the API and the CLI start
// them without importing workflow code; their priorities; and the search attributes operators
// filter on in the Web UI (e.g. SessionState="FAILED").
import { type Priority, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CatalogCrawlInput, CatalogCrawlOutcome } from './catalog.js';
import type { ChunkInput, ChunkReport } from './chunks.js';
import type { ForgetInput, ForgetReceipt, RetentionInput, RetentionOutcome } from './privacy.js';
import type { ChunkRetry } from './retry.js';
import type { PipelineSettings, SessionInput, SessionOutcome } from './session.js';

export interface RedriveInput {
  sessionId: string;
  showCacheTtlMs: number;
  /** As for a session's chunks (CHUNK_MAX_ATTEMPTS…); the default when started by hand without it. */
  retry?: ChunkRetry;
}

export interface RedriveOutcome {
  passes: number;
  resolved: number;
  remaining: number;
}

export interface RefreshInput {
  sessionId: string;
  dataKey: string;
  settings: PipelineSettings;
}

export interface RefreshOutcome {
  newActivities: number;
  newShows: number;
}

export type SessionWorkflowType = (input: SessionInput) => Promise<SessionOutcome>;
/** Every stage's chunk child (the table names its type). */
export type StageChunkWorkflowType = (input: ChunkInput) => Promise<ChunkReport>;
export type RedriveWorkflowType = (input: RedriveInput) => Promise<RedriveOutcome>;
export type RefreshWorkflowType = (input: RefreshInput) => Promise<RefreshOutcome>;
export type ForgetWorkflowType = (input: ForgetInput) => Promise<ForgetReceipt>;
export type RetentionWorkflowType = (input: RetentionInput) => Promise<RetentionOutcome>;
export type CatalogCrawlWorkflowType = (input: CatalogCrawlInput) => Promise<CatalogCrawlOutcome>;

/** Workflow type names, as the Web UI and `temporal workflow start --type` spell them. */
export const WorkflowTypes = {
  session: 'SessionWorkflow',
  redrive: 'RedriveWorkflow',
  refresh: 'RefreshWorkflow',
  forget: 'ForgetWorkflow',
  retention: 'RetentionWorkflow',
  catalogCrawl: 'CatalogCrawlWorkflow',
} as const;

/** Interactive sessions run first; refreshes (and their activities) never delay a waiting viewer. */
export const INTERACTIVE_PRIORITY = 1;
export const REFRESH_PRIORITY = 5;
/** Pre-warming the show cache: the lowest key the server's default five levels allow, beside refreshes. */
export const CATALOG_PRIORITY = 5;

/**
 * A viewer's session: interactive, with the session id as its fairness key. Within a priority the
 * server then dispatches backlogged tasks round-robin between keys instead of first in, first out,
 * so a 100k session's queued chunks cannot wall off a 1k session started after it. Children and
 * activities inherit both fields (the server merges the parent's into anything left unset).
 * Session ids are at most 64 characters, the fairness key's limit.
 */
export function sessionPriority(sessionId: string): Priority {
  return { priorityKey: INTERACTIVE_PRIORITY, fairnessKey: sessionId };
}

export const SessionStateKey = defineSearchAttributeKey('SessionState', SearchAttributeType.KEYWORD);
export const SessionProgressKey = defineSearchAttributeKey('SessionProgress', SearchAttributeType.INT);
export const DataSourceKey = defineSearchAttributeKey('DataSource', SearchAttributeType.KEYWORD);

/** name → CLI type, for `temporal server start-dev --search-attribute Name=Type` (derived from the keys above). */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Int'> = Object.fromEntries(
  [SessionStateKey, SessionProgressKey, DataSourceKey].map((key) => [key.name, key.type === SearchAttributeType.INT ? 'Int' : 'Keyword']),
);
