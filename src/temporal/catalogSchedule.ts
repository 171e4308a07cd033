// The catalog crawl's schedule: a CatalogCrawlWorkflow from automatic seeds, daily by default, overlap
// SKIP (a crawl still running makes the next one redundant: it would explore the same shows). Every
// worker start creates it or brings it in line with its settings; `everyMs` undefined deletes it.
import type { Client } from '@temporalio/client';
import { type ScheduleOutcome, ensureSchedule } from './ensureSchedule.js';
import {
  CATALOG_PRIORITY,
  CATALOG_SCHEDULED_WORKFLOW_ID,
  CATALOG_SCHEDULE_ID,
  type CatalogCrawlInput,
  type CatalogCrawlSettings,
  type CatalogCrawlWorkflowType,
  WorkflowTypes,
} from '../contracts/index.js';
import { catalogCrawlSummary } from './catalogCrawls.js';

export interface CatalogScheduleOptions {
  taskQueue: string;
  /** How often; undefined: no schedule (deleted if there is one). */
  everyMs?: number;
  settings?: Partial<CatalogCrawlSettings>;
}

export function ensureCatalogSchedule(client: Client, { taskQueue, everyMs, settings }: CatalogScheduleOptions): Promise<ScheduleOutcome> {
  const input: CatalogCrawlInput = { settings };
  return ensureSchedule(client, {
    scheduleId: CATALOG_SCHEDULE_ID,
    everyMs,
    action: {
      type: 'startWorkflow',
      workflowType: WorkflowTypes.catalogCrawl,
      workflowId: CATALOG_SCHEDULED_WORKFLOW_ID,
      taskQueue,
      args: [input] as Parameters<CatalogCrawlWorkflowType>,
      priority: { priorityKey: CATALOG_PRIORITY },
      staticSummary: `${catalogCrawlSummary(undefined, settings)} · scheduled`,
    },
    purpose: 'pre-warms the show cache from the most-watched shows of recent sessions, at low priority',
  });
}
