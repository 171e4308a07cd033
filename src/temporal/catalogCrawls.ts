// Starting a catalog crawl the way every caller must (the API, the bench, tests): at
// CATALOG_PRIORITY, with a summary the Web UI lists it by. The schedule's action is built here too.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  CATALOG_PRIORITY,
  type CatalogCrawlInput,
  type CatalogCrawlSettings,
  type CatalogCrawlWorkflowType,
  WorkflowTypes,
  catalogCrawlWorkflowId,
} from '../contracts/index.js';

export interface StartCatalogCrawl {
  taskQueue: string;
  crawlId?: string;
  seeds?: number[];
  settings?: Partial<CatalogCrawlSettings>;
}

/** "catalog crawl · 5 seeds · target 500 · 3 rounds · low priority" */
export function catalogCrawlSummary(seeds: number[] | undefined, settings: Partial<CatalogCrawlSettings> = {}, target = settings.target, rounds = settings.rounds): string {
  const from = seeds?.length ? `${seeds.length} seed${seeds.length === 1 ? '' : 's'}` : 'automatic seeds';
  return ['catalog crawl', from, target !== undefined ? `target ${target}` : undefined, rounds !== undefined ? `${rounds} rounds` : undefined, 'low priority'].filter(Boolean).join(' · ');
}

export async function startCatalogCrawl(client: Client, options: StartCatalogCrawl): Promise<{ crawlId: string; workflowId: string }> {
  const crawlId = options.crawlId ?? randomUUID().slice(0, 8);
  const input: CatalogCrawlInput = { crawlId, seeds: options.seeds, settings: options.settings };
  const handle = await client.workflow.start<CatalogCrawlWorkflowType>(WorkflowTypes.catalogCrawl, {
    workflowId: catalogCrawlWorkflowId(crawlId),
    taskQueue: options.taskQueue,
    args: [input],
    priority: { priorityKey: CATALOG_PRIORITY },
    staticSummary: catalogCrawlSummary(options.seeds, options.settings),
  });
  return { crawlId, workflowId: handle.workflowId };
}
