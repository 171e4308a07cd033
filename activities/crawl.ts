// Crawls Rotten Tomatoes for one chunk of shows with crawlee's HttpCrawler, without /search
// (robots.txt forbids it; DESIGN §2). Each show's page is found in this order:
//   1. Wikidata: one SPARQL query per chunk maps TMDB ids and IMDb ids (Gandalf's, else TMDB's) to
//      RT ids (exact, when it has one);
//   2. slug candidates from the TMDB name and original name, most likely first, accepted only when the
//      page's JSON-LD agrees on the first-air year and the cast (a stale Wikidata id, a 404, lands here
//      too); the first accepted page ends the show's search, and the `_<year>` forms are only tried
//      once a bare slug answered with another show's page (RT adds the year only where titles collide);
//   3. otherwise the show is "not on RT", a finished outcome.
// How each show was matched is stored (`rt_match`) and counted. Every URL is checked against
// robots.txt before it is requested; a forbidden one is dead-lettered with that reason.
// Every request takes a slot from the shared limiter (the cap holds across workers). A refusal for
// pace (429 or 503, whatever its body) is classified by its status before anything reads the body: it
// cuts the shared rate, holds every worker for its Retry-After (or a default pause) and is retried
// without spending one of the request's retries, the activity's attempts or a strike against RT's
// circuit. Throttling has a time budget instead: past THROTTLE_PATIENCE the session is told.
// The activity heartbeats the shows it finished, and a retry resumes from those details instead of
// starting over.
import { Context, log } from '@temporalio/activity';
import { Configuration, HttpCrawler, RetryRequestError, log as crawleeLog } from 'crawlee';
import { PermanentServiceError, TransientServiceError, isThrottleStatus, parseRetryAfter } from '../src/clients/errors.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import { sleep } from '../src/clients/rateLimiter.js';
import type { RobotsPolicy } from '../src/clients/robots.js';
import type { WikidataClient, WikidataRtIds } from '../src/clients/wikidata.js';
import { outcomeStands, writeOffShows } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import type { RtMatch } from '../src/db/schema.js';
import { externalCalls, robotsDisallowed, rtMatches } from '../src/observability/metrics.js';
import { type RtShowFacts, acceptRtPage, rtIdFromWikidata, rtSlugCandidates } from '../src/domain/rtMatch.js';
import { assertWholePage, parseRtShowPage } from '../src/domain/rtPage.js';
import { firstAirYear } from '../src/domain/tmdbMatch.js';
import { type ShowsInput, type ServiceThrottled, isLastChunkAttempt } from '../src/contracts/index.js';
import { classified, showsUnfinished } from './failures.js';

crawleeLog.setLevel(crawleeLog.LEVELS.WARNING);

export interface CrawlDeps {
  db: Db;
  caller: ServiceCaller;
  /** Absent: no TMDB→RT id lookups, slug guesses only. */
  wikidata?: WikidataClient;
  robots: RobotsPolicy;
  rtUrl: string;
  userAgent: string;
  maxConcurrency: number;
  maxRequestRetries?: number;
  /** Tells the session that RT has refused us for pace past the patience (true), or answers again (false). */
  reportThrottled?: (parentWorkflowId: string, report: ServiceThrottled) => Promise<void>;
}

/** Heartbeat details: what an earlier attempt settled, so a retry neither redoes nor miscounts it. */
interface CrawlProgress {
  finishedShowIds: number[];
  /** The finished shows that failed (dead-lettered); absent in details from before it was kept. */
  failedShowIds?: number[];
}

/** One RT id to try for a show, and how we came by it. */
interface Candidate {
  rtId: string;
  via: Exclude<RtMatch, 'not_found'>;
  /** A `_<year>` slug: skipped unless a bare slug answered with another show's page. */
  ifTaken?: boolean;
}

interface ShowPlan {
  facts: RtShowFacts;
  candidates: Candidate[];
  /** A slug answered with another show's page: the year-suffixed forms are worth trying. */
  collided: boolean;
  /** Indexes of the candidates requested or found forbidden. */
  looked: Set<number>;
  /** Candidates robots.txt forbade: reported when nothing else matched. */
  forbidden: string[];
}

/** The request for a show's `index`-th candidate. */
interface Step {
  showId: number;
  index: number;
}

/** Every 5xx is ours to classify (crawlee would fail some itself, reading their bodies as errors). */
const SERVER_STATUSES = Array.from({ length: 100 }, (_, i) => 500 + i);

/** A refusal for pace: crawlee retries it whatever the request's retry count, and we give the count back. */
class ThrottledRequest extends RetryRequestError {
  readonly throttled = true;
}

export function createCrawlActivities({ db, caller, wikidata, robots, rtUrl, userAgent, maxConcurrency, maxRequestRetries = 5, reportThrottled }: CrawlDeps) {
  const base = rtUrl.replace(/\/$/, '');
  const { limiter, breakers, holds, throttlePatienceMs } = caller;
  /** How often a running crawl looks at RT's hold and heartbeats. */
  const HOLD_WATCH_MS = 1_000;
  /** Each forbidden path is logged once per worker; every occurrence is counted. */
  const loggedForbidden = new Set<string>();
  let wikidataRefused = false;

  async function finish(
    showId: number,
    status: 'matched' | 'not_found',
    values: { url?: string; match: RtMatch; critics?: number | null; audience?: number | null },
  ) {
    await db
      .updateTable('shows')
      .set({
        rt_status: status,
        rt_match: values.match,
        rt_url: values.url ?? null,
        critics_score: values.critics ?? null,
        audience_score: values.audience ?? null,
        rt_error: null,
        rt_checked_at: new Date(),
      })
      .where('id', '=', showId)
      .execute();
    rtMatches.inc({ method: values.match });
  }

  /** What the crawl knows of each show from TMDB: names, first-air year and cast. */
  async function loadFacts(showIds: number[]): Promise<Map<number, RtShowFacts & { tmdbId: number | null; imdbId: string | null }>> {
    if (showIds.length === 0) return new Map();
    const shows = await db
      .selectFrom('shows')
      .leftJoin('show_identifiers', (j) => j.onRef('show_identifiers.show_id', '=', 'shows.id').on('show_identifiers.identifier_type', '=', 'IMDB'))
      .select(['shows.id', 'shows.name', 'shows.original_name', 'shows.first_air_date', 'shows.tmdb_id', 'show_identifiers.value as imdb_id'])
      .where('shows.id', 'in', showIds)
      .execute();
    const castRows = await db
      .selectFrom('show_cast')
      .innerJoin('actors', 'actors.id', 'show_cast.actor_id')
      .select(['show_cast.show_id', 'actors.name'])
      .where('show_cast.show_id', 'in', showIds)
      .orderBy('show_cast.show_id')
      .orderBy('show_cast.billing_order')
      .execute();
    const cast = new Map<number, string[]>();
    for (const row of castRows) cast.set(row.show_id, [...(cast.get(row.show_id) ?? []), row.name]);
    return new Map(
      shows.map((s) => [
        s.id,
        { name: s.name, originalName: s.original_name, firstAirYear: firstAirYear(s.first_air_date), cast: cast.get(s.id) ?? [], tmdbId: s.tmdb_id, imdbId: s.imdb_id },
      ]),
    );
  }

  /** Wikidata's RT ids for the chunk; when Wikidata is down the slug candidates still find most pages. */
  async function wikidataIds(tmdbIds: number[], imdbIds: string[], signal: AbortSignal): Promise<WikidataRtIds> {
    const none: WikidataRtIds = { byTmdb: new Map(), byImdb: new Map() };
    if (!wikidata || tmdbIds.length + imdbIds.length === 0) return none;
    try {
      return await caller.call('wikidata', () => wikidata.rtIdsFor({ tmdbIds, imdbIds }, signal), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      // Slug guesses still find most pages, so a Wikidata problem costs requests, not scores. A
      // permanent one (403: WIKIDATA_USER_AGENT refused) is a setting to fix: said once, loudly.
      if (error instanceof PermanentServiceError) {
        if (!wikidataRefused) log.error('Wikidata refused our queries; RT pages are found by slug guesses only until this is fixed', { error: (error as Error).message });
        wikidataRefused = true;
      } else log.warn('Wikidata unavailable for this chunk; trying slug guesses only', { error: (error as Error).message });
      return none;
    }
  }

  /**
   * Throttling's time budget: since when RT has refused this chunk for pace with no real answer in
   * between; past the patience the session is told once, and told again when RT answers.
   */
  function throttleWatch(input: ShowsInput, report: CrawlDeps['reportThrottled']) {
    let since: number | null = null;
    let reported = false;
    const send = (throttled: boolean) => {
      reported = throttled;
      // A re-drive's crawl has no session waiting on it (its report says what is missing).
      if (!input.parentWorkflowId) return Promise.resolve();
      return report?.(input.parentWorkflowId, { service: 'rt', throttled, sinceMs: since ?? Date.now() }).catch((error: unknown) => {
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
      check(patienceMs: number) {
        if (since === null || reported || Date.now() - since < patienceMs) return;
        log.warn('RT has refused us for pace past the patience; the crawl keeps going at its pace', { sinceMs: since });
        void send(true);
      },
    };
  }

  return {
    async crawlShows(input: ShowsInput): Promise<{ done: number; failed: number }> {
      return classified(async () => {
        const ctx = Context.current();
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
        beat();

        const shows = await db.selectFrom('shows').select(['id', 'rt_status', 'rt_checked_at']).where('id', 'in', input.showIds.length ? input.showIds : [-1]).execute();
        const todo: number[] = [];
        for (const show of shows) {
          if (finished.has(show.id)) continue;
          if (outcomeStands(show.rt_status, show.rt_checked_at, input.showCacheTtlMs)) markFinished(show.id, true);
          else todo.push(show.id);
        }
        const facts = await loadFacts(todo);
        const known = [...facts.values()];
        const mapped = await wikidataIds(
          known.flatMap((f) => (f.tmdbId ? [f.tmdbId] : [])),
          known.flatMap((f) => (f.imdbId ? [f.imdbId] : [])),
          ctx.cancellationSignal,
        );
        beat();
        const plans = new Map<number, ShowPlan>();
        for (const [showId, f] of facts) {
          // By TMDB id first, then by IMDb id: two items can disagree (one id stale), and each is one request.
          const fromWikidata = [f.tmdbId ? mapped.byTmdb.get(f.tmdbId) : undefined, f.imdbId ? mapped.byImdb.get(f.imdbId) : undefined]
            .map((ids) => rtIdFromWikidata(ids ?? []))
            .filter((id, i, all): id is string => id !== null && all.indexOf(id) === i);
          const candidates: Candidate[] = fromWikidata.map((rtId) => ({ rtId, via: 'wikidata' }));
          for (const { rtId, ifTaken } of rtSlugCandidates(f)) if (!fromWikidata.includes(rtId)) candidates.push({ rtId, via: 'slug', ifTaken });
          plans.set(showId, { facts: f, candidates, collided: false, looked: new Set(), forbidden: [] });
        }

        const pacing = throttleWatch(input, reportThrottled);

        // HttpCrawler, not CheerioCrawler: parseRtShowPage reads the page itself, and crawlee's own
        // parse of every page was a second DOM build per request for nothing.
        const crawler = new HttpCrawler(
          {
            // Start at full concurrency: a chunk's crawl is short, and ramping up from 1 (crawlee's
            // autoscaling default) left RT idle; the shared limiter already caps the real rate.
            minConcurrency: maxConcurrency,
            maxConcurrency,
            maxRequestRetries,
            useSessionPool: false,
            persistCookiesPerSession: false,
            // robots.txt is checked by `nextRequest` before anything is queued (src/clients/robots.ts).
            respectRobotsTxtFile: false,
            navigationTimeoutSecs: 30,
            // The wait for a limiter slot runs inside crawlee's request timeout: a paced request may wait
            // as long as the throttle patience (navigationTimeoutSecs still bounds the request itself).
            requestHandlerTimeoutSecs: Math.ceil(throttlePatienceMs / 1000) + 60,
            ignoreHttpErrorStatusCodes: [404, ...SERVER_STATUSES],
            // Every body reaches our handler, which decides by the status first: crawlee's MIME check
            // would refuse a 429 with a text/plain or JSON body as final before anyone saw the status.
            additionalMimeTypes: ['*/*'],
            preNavigationHooks: [
              async ({ request }, gotOptions) => {
                gotOptions.headers = { ...gotOptions.headers, 'user-agent': userAgent };
                // We announce ourselves (RT_USER_AGENT); browser-like generated headers would
                // contradict that, and generating them cost more CPU than the request itself.
                (gotOptions as { useHeaderGenerator?: boolean }).useHeaderGenerator = false;
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
              const plan = plans.get(step.showId)!;
              const status = response.statusCode ?? 0;
              externalCalls.inc({ service: 'rt', outcome: isThrottleStatus(status) ? 'rate_limited' : status >= 500 ? 'server_error' : 'ok' });
              if (isThrottleStatus(status)) {
                pacing.refused();
                await limiter.onThrottled('rt', parseRetryAfter(response.headers['retry-after']));
                throw new ThrottledRequest(`RT answered HTTP ${status} (a pace, retried)`);
              }
              await pacing.answered();
              if (status >= 500) throw new Error(`RT answered HTTP ${status}`);
              breakers?.success('rt');
              await limiter.onSuccess('rt'); // a 404 too: RT took the request at this rate
              // A wrong slug or a stale Wikidata id: the next candidate.
              if (status === 404) return void (await nextRequest(self, step.showId));
              const html = body.toString();
              // A truncated page, or one with no score data at all, throws RtParseError: retried.
              assertWholePage(html);
              const page = parseRtShowPage(html);
              const candidate = plan.candidates[step.index]!;
              if (candidate.via === 'slug' && !acceptRtPage(page, plan.facts).ok) {
                plan.collided = true; // another show has this slug: RT may have given ours a year
                return void (await nextRequest(self, step.showId));
              }
              await finish(step.showId, 'matched', { url: request.url, match: candidate.via, critics: page.criticsScore, audience: page.audienceScore });
              markFinished(step.showId, true);
            },
            // Every failed attempt except our own fail-fast and RT's pacing counts against RT's circuit.
            // A refusal for pace gives back the retry crawlee is about to count (it is not a failure).
            errorHandler({ request }, error) {
              if (error instanceof ThrottledRequest) return void request.retryCount--;
              const circuitOpen = error instanceof TransientServiceError && error.type === 'CircuitOpen';
              if (!circuitOpen) breakers?.failure('rt');
            },
            async failedRequestHandler({ request }, error) {
              await failShow((request.userData as Step).showId, error, request.retryCount + 1);
            },
          },
          // crawlee samples memory by spawning `ps` every second per crawler: a quarter of the
          // worker's CPU in the benchmark. Our concurrency is fixed, so its autoscaling needs no samples.
          new Configuration({ persistStorage: false, purgeOnStart: true, systemInfoIntervalMillis: 600_000 }),
        );

        /** A failed show, with its reason on the row and in a dead letter an operator can re-drive. */
        async function writeOff(showId: number, reason: string, attempts: number) {
          await writeOffShows(db, { sessionId: input.sessionId, stage: 'crawl', showIds: [showId], reason, attempts });
          markFinished(showId, false);
        }

        /** Before the chunk's last attempt a failed show fails the attempt, so Temporal retries it. */
        async function failShow(showId: number, error: Error, attempts: number) {
          if (!lastAttempt) return void retryLater.set(showId, error);
          await writeOff(showId, error.message, attempts);
        }

        /**
         * Queues the show's most likely candidate not yet looked at that robots.txt allows (a `_<year>`
         * form skipped before a collision comes back once there is one); none left settles it.
         */
        async function nextRequest(self: { addRequests: HttpCrawler<never>["addRequests"] } | null, showId: number): Promise<{ url: string; uniqueKey: string; userData: Step } | undefined> {
          const plan = plans.get(showId)!;
          for (let i = 0; i < plan.candidates.length; i++) {
            if (plan.looked.has(i) || (plan.candidates[i]!.ifTaken && !plan.collided)) continue;
            plan.looked.add(i);
            const url = `${base}/${plan.candidates[i]!.rtId}`;
            const forbidden = await robots.disallowedPath(url);
            beat(); // robots.txt may have been fetched (and retried) just now
            if (forbidden) {
              plan.forbidden.push(forbidden);
              robotsDisallowed.inc({ service: 'rt' });
              if (!loggedForbidden.has(forbidden)) {
                loggedForbidden.add(forbidden);
                log.warn('robots.txt disallows this path; not requesting it', { path: forbidden });
              }
              continue;
            }
            const request = { url, uniqueKey: `${showId}:${i}`, userData: { showId, index: i } satisfies Step };
            if (self) await self.addRequests([request]);
            return request;
          }
          if (plan.forbidden.length > 0) {
            // Not "not on RT": we were not allowed to look. Visible, and re-drivable once allowed.
            await writeOff(showId, `robots.txt disallows ${plan.forbidden[0]}`, 1);
          } else {
            await finish(showId, 'not_found', { match: 'not_found' });
            markFinished(showId, true);
          }
          return undefined;
        }

        const first = [];
        for (const showId of plans.keys()) {
          const request = await nextRequest(null, showId);
          if (request) first.push(request);
        }
        if (first.length > 0) {
          // An operator's hold on RT pauses the crawler between requests (what is in flight
          // finishes); the heartbeat goes on meanwhile, so a held chunk burns no attempt.
          let paused = false;
          const watch = setInterval(() => {
            beat();
            pacing.check(throttlePatienceMs);
            void holds
              ?.isHeld('rt')
              .then((held) => {
                const pool = crawler.autoscaledPool;
                if (!pool || held === paused) return;
                paused = held;
                if (held) void pool.pause().catch(() => undefined);
                else pool.resume();
              })
              .catch(() => undefined);
          }, HOLD_WATCH_MS);
          try {
            await crawler.run(first);
          } finally {
            clearInterval(watch);
            await pacing.answered();
          }
        }
        if (retryLater.size > 0) throw showsUnfinished('RT', [...retryLater.values()], input.showIds.length);
        // Anything without a verdict (the crawler dropped it, or the show row is gone) fails
        // visibly: a reason on the row and a dead letter, never a silently "done" show.
        for (const showId of input.showIds) {
          if (!finished.has(showId)) await writeOff(showId, 'the crawl ended without a verdict for this show', ctx.info.attempt);
        }
        return { done: input.showIds.length, failed: failed.size };
      });
    },
  };
}
