// Crawls Rotten Tomatoes for one chunk of shows, without /search (robots.txt forbids it; DESIGN §2),
// in four steps (activities/crawl/):
//   plan   — each show's TMDB facts and its candidates: Wikidata's RT ids (one SPARQL query per chunk,
//            by TMDB id and IMDb id), then slug guesses from its names, most likely first;
//   fetch  — each candidate page through the worker's one crawlee crawler, shared by every chunk;
//   decide — a page whose JSON-LD agrees on the first-air year and the cast is the show's (a stale
//            Wikidata id, a 404 or another show's page moves on to the next candidate; the `_<year>`
//            forms only once a bare slug answered with another show's page); none left: not on RT;
//   record — the verdict on the show's row (`rt_match` says how it was found), or a dead letter.
// Every URL is checked against robots.txt before it is requested; a forbidden one is dead-lettered
// with that reason. Every request takes a slot from the shared limiter (the cap holds across
// workers). A refusal for pace (429 or 503, whatever its body) is classified by its status before
// anything reads the body: it cuts the shared rate, holds every worker for its Retry-After (or a
// default pause) and is retried without spending one of the request's retries, the activity's
// attempts or a strike against RT's circuit. Throttling has a time budget instead: past
// THROTTLE_PATIENCE the session is told. A show another session is crawling at this moment is not
// asked for again: its outcome is waited for (src/db/lookupClaims.ts). The activity heartbeats the
// shows it finished, and a retry resumes from those details instead of starting over.
import { Context, log } from '@temporalio/activity';
import { isThrottleStatus, parseRetryAfter } from '../src/clients/errors.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { RobotsPolicy } from '../src/clients/robots.js';
import type { WikidataClient } from '../src/clients/wikidata.js';
import { outcomeStands } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { type SingleFlightOptions, outcomesStored, singleFlight } from '../src/db/lookupClaims.js';
import { externalCalls, robotsDisallowed } from '../src/observability/metrics.js';
import { type ShowsInput, type ServiceThrottled, isCatalogChunkOwner, isLastChunkAttempt } from '../src/contracts/index.js';
import { decide, nextCandidate } from './crawl/decide.js';
import { PacedAnswer, PageFailed, pageFetcher } from './crawl/fetch.js';
import { type ShowPlan, createPlanner } from './crawl/plan.js';
import { type RtOutcome, createOutcomeWriter, recordWriteOff } from './crawl/record.js';
import { classified, showsUnfinished } from './failures.js';
import { claimHolder } from './claimHolder.js';
import { mapWithConcurrency } from './concurrency.js';
import { type FairLanes, createFairLanes } from './fairLanes.js';

export interface CrawlDeps {
  db: Db;
  caller: ServiceCaller;
  /** Absent: no TMDB→RT id lookups, slug guesses only. */
  wikidata?: WikidataClient;
  robots: RobotsPolicy;
  rtUrl: string;
  userAgent: string;
  /** RT shows one chunk crawls at once (at most: the lanes are shared). */
  maxConcurrency: number;
  /** The worker's RT lanes, shared fairly between sessions (activities/fairLanes.ts); absent: the chunk's own maxConcurrency. */
  lanes?: FairLanes;
  maxRequestRetries?: number;
  /** Tells the session that RT has refused us for pace past the patience (true), or answers again (false). */
  reportThrottled?: (parentWorkflowId: string, report: ServiceThrottled) => Promise<void>;
  /** How long a lookup claim lasts and how often a waiter looks (tests shorten them). */
  claims?: SingleFlightOptions;
}

/** Heartbeat details: what an earlier attempt settled, so a retry neither redoes nor miscounts it. */
interface CrawlProgress {
  finishedShowIds: number[];
  /** The finished shows that failed (dead-lettered); absent in details from before it was kept. */
  failedShowIds?: number[];
}

/** How often a running crawl heartbeats and looks at its throttling budget. */
const WATCH_MS = 1_000;

/** Fails a page at once, without retries: the circuit is open. */
class CircuitOpen extends Error {
  readonly noRetry = true;
}

export function createCrawlActivities({ db, caller, wikidata, robots, rtUrl, userAgent, maxConcurrency, lanes = createFairLanes(maxConcurrency), maxRequestRetries = 5, reportThrottled, claims }: CrawlDeps) {
  const base = rtUrl.replace(/\/$/, '');
  const { limiter, breakers, holds, throttlePatienceMs } = caller;
  const planner = createPlanner({ db, caller, wikidata });
  const fetcher = pageFetcher({ userAgent, maxRequestRetries, slotWaitMs: throttlePatienceMs });
  /** Each forbidden path is logged once per worker; every occurrence is counted. */
  const loggedForbidden = new Set<string>();

  /**
   * Throttling's time budget: since when RT has refused this chunk for pace with no real answer in
   * between; past the patience the session is told once, and told again when RT answers.
   */
  function throttleWatch(input: ShowsInput) {
    let since: number | null = null;
    let reported = false;
    const send = (throttled: boolean) => {
      reported = throttled;
      // A re-drive's crawl has no session waiting on it (its report says what is missing).
      if (!input.parentWorkflowId) return Promise.resolve();
      return reportThrottled?.(input.parentWorkflowId, { service: 'rt', throttled, sinceMs: since ?? Date.now() }).catch((error: unknown) => {
        log.warn('could not tell the session about RT throttling', { error: (error as Error).message });
      });
    };
    return {
      refused() {
        since ??= Date.now();
      },
      async answered() {
        since = null;
        if (reported) await send(false);
      },
      check() {
        if (since === null || reported || Date.now() - since < throttlePatienceMs) return;
        log.warn('RT has refused us for pace past the patience; the crawl keeps going at its pace', { sinceMs: since });
        void send(true);
      },
    };
  }

  /** The first candidate robots.txt allows (the others are noted on the plan as forbidden), or null. */
  async function allowedCandidate(plan: ShowPlan, beat: () => void): Promise<{ index: number; url: string } | null> {
    for (let index = nextCandidate(plan); index !== null; index = nextCandidate(plan)) {
      const url = `${base}/${plan.candidates[index]!.rtId}`;
      const forbidden = await robots.disallowedPath(url);
      beat(); // robots.txt may have been fetched (and retried) just now
      if (!forbidden) return { index, url };
      plan.forbidden.push(forbidden);
      robotsDisallowed.inc({ service: 'rt' });
      if (!loggedForbidden.has(forbidden)) {
        loggedForbidden.add(forbidden);
        log.warn('robots.txt disallows this path; not requesting it', { path: forbidden });
      }
    }
    return null;
  }

  return {
    async crawlShows(input: ShowsInput): Promise<{ done: number; failed: number }> {
      return classified(async () => {
        const ctx = Context.current();
        const signal = ctx.cancellationSignal;
        const lastAttempt = isLastChunkAttempt(ctx.info, input.retry);
        /** Shows that failed on an attempt that is not the last: retried by the next attempt. */
        const retryLater = new Map<number, Error>();
        const resumed = ctx.info.heartbeatDetails as CrawlProgress | undefined;
        const finished = new Set<number>(resumed?.finishedShowIds ?? []);
        const failed = new Set<number>(resumed?.failedShowIds ?? []);
        // Also called before the first show settles: Wikidata and robots.txt can take longer than
        // the heartbeat timeout, and an attempt that looks dead is started again beside this one.
        const beat = () => ctx.heartbeat({ finishedShowIds: [...finished], failedShowIds: [...failed] } satisfies CrawlProgress);
        const markFinished = (showId: number, ok: boolean) => {
          finished.add(showId);
          if (!ok) failed.add(showId);
          beat();
        };
        const writeOff = async (showId: number, reason: string, attempts: number) => {
          await recordWriteOff(db, input.sessionId, showId, reason, attempts);
          markFinished(showId, false);
        };
        /** Before the chunk's last attempt a failed show fails the attempt, so Temporal retries it. */
        const failShow = async (showId: number, error: Error, attempts: number) => {
          if (!lastAttempt) return void retryLater.set(showId, error);
          await writeOff(showId, error.message, attempts);
        };
        beat();
        /** Verdicts are written a few at a time; a show is finished (heartbeated) once its row is. */
        const outcomes = createOutcomeWriter(db);
        const writes: Promise<void>[] = [];
        const record = (showId: number, status: 'matched' | 'not_found', values: RtOutcome) => {
          // A show another session waits for is written at once, not with its batch.
          const write = outcomes.record(showId, status, values, lanes.isWanted(showId)).then(() => {
            markFinished(showId, true);
            outcomesStored('rt', [showId]); // a session in this worker waiting for it looks at once
          });
          write.catch(() => undefined); // awaited with the chunk's other writes
          writes.push(write);
        };

        const shows = await db.selectFrom('shows').select(['id', 'rt_status', 'rt_checked_at']).where('id', 'in', input.showIds.length ? input.showIds : [-1]).execute();
        const todo: number[] = [];
        for (const show of shows) {
          if (finished.has(show.id)) continue;
          if (outcomeStands(show.rt_status, show.rt_checked_at, input.showCacheTtlMs)) markFinished(show.id, true);
          else todo.push(show.id);
        }

        const pacing = throttleWatch(input);
        /** One page of a show: its slot, RT's answer read by its status first, then the verdict. */
        const fetchPage = (url: string, plan: ShowPlan, index: number) =>
          fetcher.fetch({
            url,
            signal,
            async beforeTry() {
              if (breakers) {
                try {
                  breakers.check('rt'); // while RT is known to be down, send nothing, and burn no retries
                } catch (error) {
                  throw Object.assign(new CircuitOpen((error as Error).message), { cause: error });
                }
              }
              await limiter.acquire('rt', signal);
            },
            async read({ status, headers, body }) {
              externalCalls.inc({ service: 'rt', outcome: isThrottleStatus(status) ? 'rate_limited' : status >= 500 ? 'server_error' : 'ok' });
              if (isThrottleStatus(status)) {
                pacing.refused();
                await limiter.onThrottled('rt', parseRetryAfter(headers['retry-after'] as string | undefined));
                throw new PacedAnswer(`RT answered HTTP ${status} (a pace, retried)`);
              }
              await pacing.answered();
              if (status >= 500) throw new Error(`RT answered HTTP ${status}`);
              breakers?.success('rt');
              await limiter.onSuccess('rt'); // a 404 too: RT took the request at this rate
              return decide(plan, index, status, body);
            },
            // Every failed try that is retried counts against RT's circuit (an open circuit's fail-fast
            // is never retried, and a refusal for pace is not a failure: neither gets here).
            onRetry() {
              breakers?.failure('rt');
            },
          });

        /** A show's candidates one after another until one is its page; none: not on RT (or forbidden). */
        async function crawlShow(plan: ShowPlan) {
          for (;;) {
            const next = await allowedCandidate(plan, beat);
            if (!next) break;
            // An operator's hold on RT (or, for the catalog crawl, a viewer at work) pauses the show
            // between requests; the heartbeat goes on meanwhile, so a held chunk burns no attempt.
            await holds?.waitWhileHeld('rt', signal);
            let verdict;
            try {
              verdict = await fetchPage(next.url, plan, next.index);
            } catch (error) {
              if (signal.aborted) throw error;
              if (error instanceof PageFailed) return failShow(plan.showId, error.cause, error.attempts);
              throw error;
            }
            if (verdict.next) continue;
            return record(plan.showId, 'matched', { url: next.url, match: verdict.via, critics: verdict.critics, audience: verdict.audience });
          }
          // Not "not on RT" when we were not allowed to look: visible, and re-drivable once allowed.
          if (plan.forbidden.length > 0) return writeOff(plan.showId, `robots.txt disallows ${plan.forbidden[0]}`, 1);
          record(plan.showId, 'not_found', { match: 'not_found' });
        }

        const watch = setInterval(() => {
          beat();
          pacing.check();
        }, WATCH_MS);
        try {
          const crawlAll = async (showIds: number[]) => {
            const plans = await planner.plan(showIds, signal);
            beat();
            await mapWithConcurrency([...plans.values()], maxConcurrency, (plan) => lanes.run(() => crawlShow(plan), signal, plan.showId));
            // Every verdict is on its row before the shows' claims are let go.
            await Promise.all(writes.splice(0));
          };
          // A show another session is crawling right now is waited for, not asked for again. Not for
          // the catalog crawl: it gives way to working viewers while holding its shows, so a viewer
          // waiting on its claims would wait for itself.
          if (isCatalogChunkOwner(input.sessionId)) await crawlAll(todo);
          else {
            const fromOthers = await singleFlight(db, 'rt', todo, crawlAll, { holder: claimHolder('rt', input.sessionId), ...claims, signal, whileWaiting: (showIds) => lanes.lendTurn(showIds) });
            for (const showId of fromOthers.keys()) markFinished(showId, true);
          }
        } finally {
          clearInterval(watch);
          await pacing.answered();
        }
        if (retryLater.size > 0) throw showsUnfinished('RT', [...retryLater.values()], input.showIds.length);
        // Anything without a verdict (the show row is gone, say) fails visibly: a reason on the row
        // and a dead letter, never a silently "done" show.
        for (const showId of input.showIds) {
          if (!finished.has(showId)) await writeOff(showId, 'the crawl ended without a verdict for this show', ctx.info.attempt);
        }
        return { done: input.showIds.length, failed: failed.size };
      });
    },
  };
}
