// The catalog crawl's schedule: a CatalogCrawlWorkflow from automatic seeds, daily by default, overlap
// SKIP (a crawl still running makes the next one redundant: it would explore the same shows). Every
// worker start creates it or brings it in line with its settings; `everyMs` undefined deletes it.
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
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

export async function ensureCatalogSchedule(client: Client, { taskQueue, everyMs, settings }: CatalogScheduleOptions): Promise<'created' | 'updated' | 'deleted' | 'off'> {
  const handle = client.schedule.getHandle(CATALOG_SCHEDULE_ID);
  if (everyMs === undefined) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return 'off';
      throw error;
    }
  }
  const input: CatalogCrawlInput = { settings };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: WorkflowTypes.catalogCrawl,
    workflowId: CATALOG_SCHEDULED_WORKFLOW_ID,
    taskQueue,
    args: [input] as Parameters<CatalogCrawlWorkflowType>,
    priority: { priorityKey: CATALOG_PRIORITY },
    staticSummary: `${catalogCrawlSummary(undefined, settings)} · scheduled`,
  };
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await handle.update((previous) => ({ ...previous, spec, action }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  try {
    await client.schedule.create({
      scheduleId: CATALOG_SCHEDULE_ID,
      spec,
      action,
      // A missed day is not made up: the next crawl explores as far.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      memo: { purpose: 'pre-warms the show cache from the most-watched shows of recent sessions, at low priority' },
    });
    return 'created';
  } catch (error) {
    if ((error as Error).name === 'ScheduleAlreadyRunning') return 'updated';
    throw error;
  }
}
