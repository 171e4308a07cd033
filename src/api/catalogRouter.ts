// /api/catalog/crawls — start a catalog crawl on demand (it warms the show cache at low priority),
// follow it, list recent ones. A crawl's live state comes from its progress query; a finished one's
// from its result. Lists come from Temporal's visibility (crawls keep no rows once they end).
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { PipelineSettings } from '../config/index.js';
import {
  CATALOG_CRAWL_ID_PATTERN,
  type CatalogCrawlOutcome,
  type CatalogCrawlProgress,
  WorkflowTypes,
  catalogCrawlWorkflowId,
  catalogProgressQuery,
  crawlIdOfWorkflowId,
} from '../contracts/index.js';
import { startCatalogCrawl } from '../temporal/catalogCrawls.js';
import { HttpError } from './errors.js';
import { allow } from './protection/access.js';

const count = (max: number) => z.number().int().min(1).max(max);

const startBody = z
  .object({
    crawlId: z.string().regex(CATALOG_CRAWL_ID_PATTERN, 'must be 1–80 letters, digits, _ . : or -').optional(),
    /** TMDB TV ids; none: the most-watched shows of recent sessions. */
    seeds: z.array(z.number().int().positive()).max(500).optional(),
    target: count(100_000).optional(),
    rounds: count(50).optional(),
    seedsPerRound: count(500).optional(),
    popularityFloor: z.number().min(0).max(100_000).optional(),
    chunkSize: count(100).optional(),
  })
  .strict();

const crawlId = z.string().regex(CATALOG_CRAWL_ID_PATTERN, 'not a crawl id');

export function catalogRouter({ client, taskQueue, settings }: { client: Client; taskQueue: string; settings: Pick<PipelineSettings, 'showCacheTtlMs'> }): Router {
  const router = Router();

  router.post('/', allow({ scope: 'write' }), async (req, res) => {
    const { crawlId: id, seeds, ...tuning } = startBody.parse(req.body ?? {});
    try {
      const started = await startCatalogCrawl(client, { taskQueue, crawlId: id, seeds, settings: { ...tuning, showCacheTtlMs: settings.showCacheTtlMs } });
      res.status(202).location(`/api/catalog/crawls/${encodeURIComponent(started.crawlId)}`).json(started);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, 'already_running', `Crawl ${id} is already running`);
      throw error;
    }
  });

  router.get('/', allow({ scope: 'read' }), async (_req, res) => {
    const crawls = [];
    for await (const e of client.workflow.list({ query: `WorkflowType = '${WorkflowTypes.catalogCrawl}'` })) {
      crawls.push({ crawlId: crawlIdOfWorkflowId(e.workflowId), workflowId: e.workflowId, status: e.status.name, startedAt: e.startTime, closedAt: e.closeTime ?? null });
      if (crawls.length >= 50) break;
    }
    res.json({ crawls });
  });

  router.get('/:id', allow({ scope: 'read' }), async (req, res) => {
    const parsed = crawlId.safeParse(req.params.id);
    if (!parsed.success) throw new HttpError(404, 'not_found', `No crawl ${req.params.id}`);
    const handle = client.workflow.getHandle(catalogCrawlWorkflowId(parsed.data));
    try {
      const { status } = await handle.describe();
      let progress: CatalogCrawlProgress | null = null;
      if (status.name === 'RUNNING') progress = await handle.query(catalogProgressQuery);
      else if (status.name === 'COMPLETED') progress = (await handle.result()) as CatalogCrawlOutcome;
      res.json({ crawlId: parsed.data, workflowId: handle.workflowId, status: status.name, progress });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new HttpError(404, 'not_found', `No crawl ${parsed.data}`);
      throw error;
    }
  });

  return router;
}
