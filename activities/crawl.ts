// Crawls Rotten Tomatoes for one chunk of shows with crawlee's CheerioCrawler:
// search page → the TV row whose cast overlaps TMDB's → show page → critics and audience scores.
// Every request takes a slot from the shared limiter (the cap holds across workers); a 429's
// Retry-After pushes every worker back. The activity heartbeats the shows it finished, and a retry
// resumes from those details instead of starting over.
import { Context } from '@temporalio/activity';
import { CheerioCrawler, Configuration, log as crawleeLog } from 'crawlee';
import { PermanentServiceError, TransientServiceError, parseRetryAfter } from '../src/clients/errors.js';
import type { CircuitBreakers } from '../src/clients/circuitBreaker.js';
import { type RateLimiter, sleep } from '../src/clients/rateLimiter.js';
import { recordDeadLetter } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { externalCalls } from '../src/observability/metrics.js';
import { RtParseError, parseRtSearchPage, parseRtShowPage, pickRtRow } from '../src/domain/rtMatch.js';
import { isLastChunkAttempt } from '../workflows/chunkRetry.js';
import type { ChunkInput } from '../workflows/types.js';
import { classified, showsUnfinished } from './failures.js';

crawleeLog.setLevel(crawleeLog.LEVELS.WARNING);

export interface CrawlDeps {
  db: Db;
  limiter: RateLimiter;
  breakers?: CircuitBreakers;
  rtUrl: string;
  userAgent: string;
  maxConcurrency: number;
  maxRequestRetries?: number;
}

interface CrawlProgress {
  finishedShowIds: number[];
}

type Step = { showId: number; step: 'search' } | { showId: number; step: 'show' };

/**
 * A page cut short (a truncated transfer, a broken proxy) still parses: a search page missing its
 * last rows reads as "not on RT", a show page missing a slot as "no score". Retry it instead.
 */
function requireWholePage(html: string, step: Step['step']): void {
  if (!/<\/html>/i.test(html)) throw new RtParseError(`RT ${step} page is incomplete (no closing </html>)`);
}

/** Transient statuses are retried by the crawler itself; the rest are outcomes. */
const RETRY_STATUSES = [429, 500, 502, 503, 504];

export function createCrawlActivities({ db, limiter, breakers, rtUrl, userAgent, maxConcurrency, maxRequestRetries = 5 }: CrawlDeps) {
  const base = rtUrl.replace(/\/$/, '');

  async function finish(showId: number, status: 'matched' | 'not_found' | 'failed', values: { url?: string; critics?: number | null; audience?: number | null; error?: string } = {}) {
    await db
      .updateTable('shows')
      .set({
        rt_status: status,
        rt_url: values.url ?? null,
        critics_score: values.critics ?? null,
        audience_score: values.audience ?? null,
        rt_error: values.error?.slice(0, 500) ?? null,
        rt_checked_at: status === 'failed' ? null : new Date(),
      })
      .where('id', '=', showId)
      .execute();
  }

  return {
    async crawlShows(input: ChunkInput): Promise<{ done: number; failed: number }> {
      return classified(async () => {
        const ctx = Context.current();
        const lastAttempt = isLastChunkAttempt(ctx.info, input.retry);
        /** Shows that failed on an attempt that is not the last: retried by the next attempt. */
        const retryLater = new Map<number, Error>();
        const resumed = (ctx.info.heartbeatDetails as CrawlProgress | undefined)?.finishedShowIds ?? [];
        const finished = new Set<number>(resumed);
        const failed = new Set<number>();
        const markFinished = (showId: number, ok: boolean) => {
          finished.add(showId);
          if (!ok) failed.add(showId);
          ctx.heartbeat({ finishedShowIds: [...finished] } satisfies CrawlProgress);
        };

        const shows = await db.selectFrom('shows').select(['id', 'name', 'rt_status', 'rt_checked_at']).where('id', 'in', input.showIds.length ? input.showIds : [-1]).execute();
        const todo: typeof shows = [];
        for (const show of shows) {
          if (finished.has(show.id)) continue;
          const fresh = show.rt_checked_at && Date.now() - new Date(show.rt_checked_at).getTime() < input.showCacheTtlMs;
          if (fresh && (show.rt_status === 'matched' || show.rt_status === 'not_found')) markFinished(show.id, true);
          else todo.push(show);
        }
        const castRows = todo.length
          ? await db
              .selectFrom('show_cast')
              .innerJoin('actors', 'actors.id', 'show_cast.actor_id')
              .select(['show_cast.show_id', 'actors.name'])
              .where('show_cast.show_id', 'in', todo.map((s) => s.id))
              .execute()
          : [];
        const castByShow = new Map<number, string[]>();
        for (const row of castRows) castByShow.set(row.show_id, [...(castByShow.get(row.show_id) ?? []), row.name]);

        let fatal: Error | undefined;
        const crawler = new CheerioCrawler(
          {
            // Start at full concurrency: a chunk's crawl is short, and ramping up from 1 (crawlee's
            // autoscaling default) left RT idle; the shared limiter already caps the real rate.
            minConcurrency: maxConcurrency,
            maxConcurrency,
            maxRequestRetries,
            useSessionPool: false,
            persistCookiesPerSession: false,
            respectRobotsTxtFile: true,
            requestHandlerTimeoutSecs: 60,
            navigationTimeoutSecs: 30,
            ignoreHttpErrorStatusCodes: [404, ...RETRY_STATUSES],
            additionalMimeTypes: ['text/html'],
            preNavigationHooks: [
              async ({ request }, gotOptions) => {
                gotOptions.headers = { ...gotOptions.headers, 'user-agent': userAgent };
                // Backoff with full jitter before a retry, then wait for a shared rate-limit slot.
                if (request.retryCount > 0) await sleep(Math.random() * Math.min(10_000, 250 * 2 ** request.retryCount));
                try {
                  breakers?.check('rt'); // while RT is known to be down, send nothing…
                } catch (error) {
                  request.noRetry = true; // …and burn no retries: the show goes to the dead letters
                  throw error;
                }
                await limiter.acquire('rt', ctx.cancellationSignal);
              },
            ],
            async requestHandler({ request, response, body, crawler: self }) {
              const step = request.userData as Step;
              const status = response.statusCode ?? 0;
              externalCalls.inc({ service: 'rt', outcome: status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'ok' });
              if (RETRY_STATUSES.includes(status)) {
                const retryAfter = parseRetryAfter(response.headers['retry-after']);
                if (status === 429) await limiter.pushBack('rt', retryAfter ?? 1000);
                throw Object.assign(new Error(`RT answered HTTP ${status}`), { rateLimited: status === 429 });
              }
              breakers?.success('rt');
              const html = body.toString();
              if (step.step === 'search') {
                if (status === 404) return markFinishedNotFound(step.showId);
                requireWholePage(html, 'search');
                const row = pickRtRow(parseRtSearchPage(html), castByShow.get(step.showId) ?? []);
                if (!row) return markFinishedNotFound(step.showId);
                // Follow the row's path on RT_URL, so a stand-in or a mirror stays the only host crawled.
                const showUrl = `${base}${new URL(row.url, base).pathname}`;
                await self.addRequests([{ url: showUrl, uniqueKey: `${step.showId}:show`, userData: { showId: step.showId, step: 'show' } satisfies Step }]);
                return;
              }
              if (status === 404) return markFinishedNotFound(step.showId);
              // A page without score slots (truncated, changed) throws RtParseError: the crawler retries it.
              requireWholePage(html, 'show');
              const scores = parseRtShowPage(html);
              await finish(step.showId, 'matched', { url: request.url, critics: scores.criticsScore, audience: scores.audienceScore });
              markFinished(step.showId, true);
            },
            // Every failed attempt except our own fail-fast and RT's rate limiting (it is up, only
            // pacing us) counts against RT's circuit.
            errorHandler(_ctx, error) {
              const circuitOpen = error instanceof TransientServiceError && error.type === 'CircuitOpen';
              if (!circuitOpen && !(error as { rateLimited?: boolean }).rateLimited) breakers?.failure('rt');
            },
            async failedRequestHandler({ request }, error) {
              const step = request.userData as Step;
              if (error instanceof PermanentServiceError) fatal = error;
              else if (!lastAttempt) return void retryLater.set(step.showId, error);
              await finish(step.showId, 'failed', { error: error.message });
              await recordDeadLetter(db, { sessionId: input.sessionId, showId: step.showId, stage: 'crawl', error: error.message, attempts: request.retryCount + 1 });
              markFinished(step.showId, false);
            },
          },
          // crawlee samples memory by spawning `ps` every second per crawler: a quarter of the
          // worker's CPU in the benchmark. Our concurrency is fixed, so its autoscaling needs no samples.
          new Configuration({ persistStorage: false, purgeOnStart: true, systemInfoIntervalMillis: 600_000 }),
        );

        async function markFinishedNotFound(showId: number) {
          await finish(showId, 'not_found');
          markFinished(showId, true);
        }

        if (todo.length > 0) {
          await crawler.run(
            todo.map((show) => ({
              url: `${base}/search?search=${encodeURIComponent(show.name)}`,
              uniqueKey: `${show.id}:search`,
              userData: { showId: show.id, step: 'search' } satisfies Step,
            })),
          );
        }
        if (fatal) throw fatal;
        if (retryLater.size > 0) throw showsUnfinished('RT', [...retryLater.values()], input.showIds.length);
        // Anything the crawler dropped without a verdict counts as failed, never silently done.
        for (const showId of input.showIds) if (!finished.has(showId)) markFinished(showId, false);
        return { done: input.showIds.length, failed: failed.size };
      });
    },
  };
}
