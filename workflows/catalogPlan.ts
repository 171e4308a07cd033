// Pure decisions of the catalog crawl (workflows/catalog.ts), kept apart so they are unit-tested
// without Temporal: each round's share of the target, when to stop, and the Web UI's details.
import type { CatalogCounts, CatalogCrawlProgress, CatalogCrawlSettings, CatalogStop } from '../src/contracts/index.js';

/** What is left of the target, spread over the rounds left: early rounds leave room to explore wider. */
export function roundBudget(settings: Pick<CatalogCrawlSettings, 'target' | 'rounds'>, counts: Pick<CatalogCounts, 'enriched'>, round: number): number {
  const left = Math.max(0, settings.target - counts.enriched);
  return Math.ceil(left / Math.max(1, settings.rounds - round + 1));
}

/** After a round: stop at the target or the last round; otherwise the next round. */
export function stopAfterRound(settings: Pick<CatalogCrawlSettings, 'target' | 'rounds'>, counts: Pick<CatalogCounts, 'enriched'>, round: number): CatalogStop | null {
  if (counts.enriched >= settings.target) return 'target';
  if (round >= settings.rounds) return 'rounds';
  return null;
}

const STOPPED: Record<CatalogStop, string> = {
  target: 'reached its target',
  rounds: 'ran its last round',
  exhausted: 'found nothing more to explore',
  'no-seeds': 'had no seeds (no recent sessions)',
};

/** The crawl's page in the Web UI: where it is, and its counts as a table. */
export function describeCrawl(p: CatalogCrawlProgress): string {
  const status = p.phase === 'finished' ? `finished: ${p.stoppedBecause ? STOPPED[p.stoppedBecause] : 'done'}` : p.phase;
  return [
    `**Catalog crawl ${p.crawlId}** · round ${p.round} of ${p.rounds} · ${status} · low priority`,
    '',
    '| seeds | discovered | deduped | below floor | queued | enriched | skipped | failed |',
    '|---|---|---|---|---|---|---|---|',
    `| ${p.seeds} | ${p.discovered} | ${p.deduped} | ${p.belowFloor} | ${p.queued} | ${p.enriched} / ${p.target} | ${p.skipped} | ${p.failed} |`,
    '',
    `chunks this round: ${p.chunks.done} of ${p.chunks.total} · run ${p.runs}`,
  ].join('\n');
}
