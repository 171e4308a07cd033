// `showprint catalog …`: start a catalog crawl that pre-warms the show cache (at low priority),
// follow it and list recent ones, through the API (/api/catalog/crawls).
import { type Command, InvalidArgumentError } from 'commander';
import type { CatalogCrawlProgress } from '../contracts/index.js';
import type { createApiClient } from './apiClient.js';

type Api = ReturnType<typeof createApiClient>;

interface CrawlView {
  crawlId: string;
  workflowId: string;
  status: string;
  progress: CatalogCrawlProgress | null;
}

export function formatCrawlProgress(p: CatalogCrawlProgress): string {
  const stop = p.stoppedBecause ? ` (${p.stoppedBecause})` : '';
  return (
    `round ${p.round}/${p.rounds} ${p.phase}${stop}  seeds ${p.seeds}  discovered ${p.discovered}  deduped ${p.deduped}  below floor ${p.belowFloor}  ` +
    `queued ${p.queued}  enriched ${p.enriched}/${p.target}  skipped ${p.skipped}  failed ${p.failed}`
  );
}

const ids = (value: string): number[] => {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new InvalidArgumentError(`--seeds takes TMDB TV ids separated by commas, e.g. 1399,1396 (got "${value}")`);
  return list;
};

const positive = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} takes a positive whole number (got "${value}")`);
  return n;
};

async function follow(api: Api, crawlId: string): Promise<CrawlView> {
  let last = '';
  for (;;) {
    const view = await api.get<CrawlView>(`/api/catalog/crawls/${encodeURIComponent(crawlId)}`);
    const line = view.progress ? formatCrawlProgress(view.progress) : view.status;
    if (line !== last) console.log(line);
    last = line;
    if (view.status !== 'RUNNING') return view;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export function addCatalogCommands(program: Command, api: () => Api): void {
  const catalog = program.command('catalog').description('Pre-warm the show cache: catalog crawls from seed shows through TMDB recommendations, at low priority');
  catalog
    .command('crawl')
    .description('Start a crawl: from --seeds (TMDB TV ids), or from the most-watched shows of recent sessions')
    .option('--seeds <ids>', 'TMDB TV ids, comma-separated (default: automatic)', ids)
    .option('--target <n>', 'stop after warming this many shows', positive('--target'))
    .option('--rounds <n>', 'stop after this many rounds', positive('--rounds'))
    .option('--id <crawlId>', 'name the crawl (starting it twice finds the running one)')
    .option('--watch', 'follow its progress until it ends')
    .action(async (opts: { seeds?: number[]; target?: number; rounds?: number; id?: string; watch?: boolean }) => {
      const body = { seeds: opts.seeds, target: opts.target, rounds: opts.rounds, crawlId: opts.id };
      const res = await api().post<{ crawlId: string; workflowId: string }>('/api/catalog/crawls', body);
      console.log(`Started catalog crawl ${res.crawlId} (workflow ${res.workflowId}) at low priority.`);
      if (!opts.watch) return console.log(`Follow it with: showprint catalog show ${res.crawlId}`);
      const view = await follow(api(), res.crawlId);
      console.log(`Crawl ${res.crawlId} ${view.status.toLowerCase()}.`);
      if (view.status !== 'COMPLETED') process.exitCode = 1;
    });
  catalog
    .command('show')
    .description("A crawl's progress: round, discovered, deduped, enriched, failed")
    .argument('<crawlId>')
    .option('--json', 'raw JSON')
    .action(async (crawlId: string, opts: { json?: boolean }) => {
      const view = await api().get<CrawlView>(`/api/catalog/crawls/${encodeURIComponent(crawlId)}`);
      console.log(opts.json ? JSON.stringify(view, null, 2) : `${view.crawlId} ${view.status}${view.progress ? `\n${formatCrawlProgress(view.progress)}` : ''}`);
    });
  catalog
    .command('list')
    .description('Recent crawls, newest first (scheduled ones included)')
    .action(async () => {
      const { crawls } = await api().get<{ crawls: { crawlId: string; status: string; startedAt: string }[] }>('/api/catalog/crawls');
      if (crawls.length === 0) return console.log('No catalog crawls.');
      for (const c of crawls) console.log(`${c.startedAt}  ${c.status.padEnd(10)} ${c.crawlId}`);
    });
}
