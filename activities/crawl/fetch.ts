// The crawl's second step: one crawlee crawler per worker process (per set of crawler settings), fed
// by every chunk's crawl, instead of a crawler built and torn down per chunk. crawlee keeps the queue,
// the concurrency, the retries and their bookkeeping; the request itself is a plain GET
// (src/clients/http.ts): crawlee's HTTP crawler spent more CPU in got-scraping than the page took to
// read. crawlee (@crawlee/basic) is imported on the first page asked for, so a worker that never
// crawls never pays for it. Each page carries its own hooks: the chunk's rate-limit slot and circuit
// check before every try, the chunk's reading of the answer (which may throw to retry it), and the
// chunk's cancellation. The crawler stops once idle for a while (its in-memory queue keeps every
// request it handled) and is built again on demand.

import { AsyncResource } from 'node:async_hooks';

/** What the fetcher uses of its crawler. */
interface Crawler {
  addRequests(requests: { url: string; uniqueKey: string }[]): Promise<unknown>;
  run(): Promise<unknown>;
  stop(reason?: string): void;
  autoscaledPool?: { notify(): Promise<void> };
}
import { httpGet } from '../../src/clients/http.js';
import { sleep } from '../../src/clients/rateLimiter.js';

export interface FetchSettings {
  userAgent: string;
  maxRequestRetries: number;
  /** The longest a try may wait for its rate-limit slot (the throttle patience). */
  slotWaitMs: number;
}

/** An answer from RT, whatever its status. */
export interface Page {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface PageJob<T> {
  url: string;
  signal: AbortSignal;
  /** Before each try (after a retry's backoff): take a rate-limit slot. A `noRetry` error fails the page at once. */
  beforeTry(): Promise<void>;
  /** Reads the answer. Throwing retries the page; a PacedAnswer is retried without spending one of its retries. */
  read(page: Page): Promise<T>;
  /** A try that failed and will be tried again. */
  onRetry?(error: Error): void;
}

/** A refusal for pace: retried whatever the page's retry count. */
export class PacedAnswer extends Error {}

/** A page that failed for good, with the tries it took. */
export class PageFailed extends Error {
  constructor(
    override readonly cause: Error,
    readonly attempts: number,
  ) {
    super(cause.message);
  }
}

/** The longest one try of a page may take (crawlee's navigation timeout). */
const REQUEST_TIMEOUT_MS = 30_000;
/** crawlee's own allowance on top of a try's request and reading (BASIC_CRAWLER_TIMEOUT_BUFFER_SECS). */
const CRAWLEE_BUFFER_SECS = 10;
/** How long an idle crawler is kept before it is stopped (its queue dropped, and a process left free to exit). */
const IDLE_STOP_MS = 2_000;
/** Pages in flight at once over every chunk: above the worker's RT lanes (RT_MAX_CONCURRENCY), which set the real number. */
const CRAWLER_CONCURRENCY = 500;

interface Job {
  job: PageJob<unknown>;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface PageFetcher {
  fetch<T>(job: PageJob<T>): Promise<T>;
}

const fetchers = new Map<string, PageFetcher>();

/** The process's fetcher for these settings (one crawler however many chunks use it). */
export function pageFetcher(settings: FetchSettings): PageFetcher {
  const key = JSON.stringify(settings);
  let fetcher = fetchers.get(key);
  if (!fetcher) fetchers.set(key, (fetcher = createPageFetcher(settings)));
  return fetcher;
}

function createPageFetcher({ userAgent, maxRequestRetries, slotWaitMs }: FetchSettings): PageFetcher {
  const jobs = new Map<string, Job>();
  let sequence = 0;
  let crawler: Promise<Crawler> | undefined;
  let idleTimer: NodeJS.Timeout | undefined;

  /** Builds and starts a crawler; if its run ends other than by our stop, the pages it held fail (and are retried by their chunks). */
  function start(): Promise<Crawler> {
    const slot = build().then((built) => {
      void built
        .run()
        .catch((error: unknown) => error)
        .then((error: unknown) => {
          if (crawler !== slot) return; // stopped when idle
          crawler = undefined;
          for (const entry of jobs.values()) entry.reject(new Error(`the RT crawler stopped: ${(error as Error | undefined)?.message ?? 'unexpectedly'}`));
        });
      return built;
    });
    slot.catch(() => crawler === slot && (crawler = undefined));
    return slot;
  }

  async function build(): Promise<Crawler> {
    // @crawlee/basic, crawlee's queue-and-retries crawler: `@crawlee/http` would also load got-scraping
    // and its header generator, and `crawlee` its browser and DOM crawlers.
    const { BasicCrawler, Configuration, RetryRequestError, log } = await import('@crawlee/basic');
    log.setLevel(log.LEVELS.WARNING);
    const jobOf = (uniqueKey: string) => jobs.get(uniqueKey);
    const built = new BasicCrawler(
      {
        // Runs on with an empty queue (until stopped when idle): chunks add their pages as they go.
        keepAlive: true,
        // Every page queued runs at once: the chunks keep their own concurrency, and the shared
        // limiter caps the real rate.
        minConcurrency: CRAWLER_CONCURRENCY,
        maxConcurrency: CRAWLER_CONCURRENCY,
        maxRequestRetries,
        useSessionPool: false,
        // robots.txt is checked by the crawl before a page is asked for (src/clients/robots.ts).
        respectRobotsTxtFile: false,
        // One try: the wait for a limiter slot (as long as the throttle patience), the request, the
        // reading; the same bound HttpCrawler gave it.
        requestHandlerTimeoutSecs: REQUEST_TIMEOUT_MS / 1000 + Math.ceil(slotWaitMs / 1000) + 60 + CRAWLEE_BUFFER_SECS,
        async requestHandler({ request }) {
          const before = jobOf(request.uniqueKey);
          if (!before || before.job.signal.aborted) {
            request.noRetry = true;
            throw new Error('the crawl that asked for this page has ended');
          }
          // Backoff with full jitter before a retry, then the chunk's slot.
          if (request.retryCount > 0) await sleep(Math.random() * Math.min(10_000, 250 * 2 ** request.retryCount));
          try {
            await before.job.beforeTry();
          } catch (error) {
            if ((error as { noRetry?: boolean }).noRetry) request.noRetry = true;
            throw error;
          }
          // We announce ourselves (RT_USER_AGENT), and every answer reaches the reader whatever its
          // status or type: it decides by the status before it looks at the body (a 429 may be text/plain).
          const { status, headers, body } = await httpGet(request.url, { headers: { 'user-agent': userAgent }, timeoutMs: REQUEST_TIMEOUT_MS, lenient: true });
          const entry = jobOf(request.uniqueKey);
          if (!entry) return;
          try {
            entry.resolve(await entry.job.read({ url: request.url, status, headers, body }));
          } catch (error) {
            if (error instanceof PacedAnswer) throw new RetryRequestError(error.message);
            throw error;
          }
        },
        // A refusal for pace gives back the retry crawlee is about to count (it is not a failure).
        errorHandler({ request }, error) {
          if (error instanceof RetryRequestError) return void request.retryCount--;
          jobOf(request.uniqueKey)?.job.onRetry?.(error);
        },
        failedRequestHandler({ request }, error) {
          jobOf(request.uniqueKey)?.reject(new PageFailed(error, request.retryCount + 1));
        },
      },
      // crawlee samples memory by spawning `ps` every second: a quarter of the worker's CPU in the
      // benchmark. Our concurrency is fixed, so its autoscaling needs no samples.
      new Configuration({ persistStorage: false, purgeOnStart: true, systemInfoIntervalMillis: 600_000 }),
    );
    return built;
  }

  /** Stops the crawler once nothing has been asked of it for a while. */
  function settled(key: string) {
    jobs.delete(key);
    if (jobs.size > 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (jobs.size > 0 || !crawler) return;
      const stopping = crawler;
      crawler = undefined;
      void stopping.then((c) => c.stop('idle')).catch(() => undefined);
    }, IDLE_STOP_MS);
    idleTimer.unref();
  }

  /** One abort listener per chunk (not per page: a chunk has many pages in flight), failing its pages. */
  const bySignal = new WeakMap<AbortSignal, Set<Job>>();
  function watch(signal: AbortSignal, entry: Job) {
    let pages = bySignal.get(signal);
    if (!pages) {
      const set = (pages = new Set());
      bySignal.set(signal, set);
      signal.addEventListener('abort', () => [...set].forEach((e) => e.reject(signal.reason as Error)), { once: true });
    }
    pages.add(entry);
  }
  const unwatch = (signal: AbortSignal, entry: Job) => bySignal.get(signal)?.delete(entry);

  return {
    async fetch<T>(job: PageJob<T>): Promise<T> {
      clearTimeout(idleTimer);
      const current = (crawler ??= start());
      const uniqueKey = `${++sequence}`;
      // The crawler runs in the async context of the chunk that started it: the page's hooks are run in
      // the context of the chunk that asked for it (its activity's Context: the limiter reads the
      // session's fairness key there, and logs their attributes).
      const hooks: PageJob<unknown> = {
        ...job,
        beforeTry: AsyncResource.bind(job.beforeTry),
        read: AsyncResource.bind(job.read),
        onRetry: job.onRetry && AsyncResource.bind(job.onRetry),
      };
      return new Promise<T>((resolve, reject) => {
        const entry: Job = {
          job: hooks,
          resolve: (value) => (unwatch(job.signal, entry), settled(uniqueKey), resolve(value as T)),
          reject: (error) => (unwatch(job.signal, entry), settled(uniqueKey), reject(error)),
        };
        jobs.set(uniqueKey, entry);
        if (job.signal.aborted) return entry.reject(job.signal.reason as Error);
        watch(job.signal, entry);
        void current
          .then(async (c) => {
            await c.addRequests([{ url: job.url, uniqueKey }]);
            // Start it now rather than at the pool's next look at the queue (up to half a second).
            await c.autoscaledPool?.notify();
          })
          .catch((error: unknown) => entry.reject(error as Error));
      });
    },
  };
}
