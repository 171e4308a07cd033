// Wikidata Query Service (DESIGN §2): maps TMDB TV ids (P4983) and IMDb ids (P345) to Rotten Tomatoes
// ids (P1258), one SPARQL query per chunk (a UNION of the two when a chunk has both kinds). WDQS allows five parallel queries per client, so each client keeps at most
// `maxInFlight` in flight; pacing, retries and the circuit are the caller's (ServiceCaller, 'wikidata').
// 429/5xx are transient (Retry-After kept); 403 (User-Agent refused) and 400 (bad query) are permanent.
import got, { type Response } from 'got';
import { z } from 'zod';
import { responseSample } from '../domain/text.js';
import { PermanentServiceError, TransientServiceError, isThrottleStatus, isTransientStatus, parseRetryAfter } from './errors.js';
import { WikidataErrors } from '../contracts/index.js';

/** Wikidata property "TMDB TV series ID" (a string such as "1399"). */
const P_TMDB_TV = 'P4983';
/** Wikidata property "IMDb ID" (a string such as "tt0944947"). */
const P_IMDB = 'P345';
/** Wikidata property "Rotten Tomatoes ID" (`tv/the_bear`; film ids start with `m/`). */
const P_ROTTEN_TOMATOES = 'P1258';

export interface WikidataClientOptions {
  /** The SPARQL endpoint, e.g. https://query.wikidata.org/sparql (WIKIDATA_URL). */
  url: string;
  /** Wikimedia refuses generic agents: name the app and a way to reach its operator (WIKIDATA_USER_AGENT). */
  userAgent: string;
  timeoutMs: number;
  /** Queries in flight at once from this client (WDQS allows 5). */
  maxInFlight?: number;
}

/** RT ids Wikidata lists, per key asked for, in answer order without repeats; keys it maps to nothing are absent. */
export interface WikidataRtIds {
  byTmdb: Map<number, string[]>;
  byImdb: Map<string, string[]>;
}

export interface WikidataClient {
  /**
   * TMDB TV id → every RT id Wikidata lists for it, in answer order without repeats (a film `m/…` id
   * can sit beside the `tv/…` one: the caller picks). Ids Wikidata maps to nothing are absent.
   */
  rtIdsForTmdbIds(tmdbIds: number[], signal?: AbortSignal): Promise<Map<number, string[]>>;
  /** The same for TMDB ids and IMDb ids at once, in one query. */
  rtIdsFor(keys: { tmdbIds: number[]; imdbIds?: string[] }, signal?: AbortSignal): Promise<WikidataRtIds>;
}

/**
 * The one query this client sends: by TMDB ids, by IMDb ids, or a UNION of both. Only validated ids
 * reach it, printed by the client itself, so nothing a caller passes can change the query's meaning.
 */
export function rtIdsQuery(tmdbIds: readonly number[], imdbIds: readonly string[] = []): string {
  const byTmdb = `VALUES ?tmdb { ${tmdbIds.map((id) => `"${assertTmdbId(id)}"`).join(' ')} } ?item wdt:${P_TMDB_TV} ?tmdb ; wdt:${P_ROTTEN_TOMATOES} ?rt .`;
  const byImdb = `VALUES ?imdb { ${imdbIds.map((id) => `"${assertImdbId(id)}"`).join(' ')} } ?item wdt:${P_IMDB} ?imdb ; wdt:${P_ROTTEN_TOMATOES} ?rt .`;
  if (imdbIds.length === 0) return `SELECT ?tmdb ?rt WHERE { ${byTmdb} }`;
  if (tmdbIds.length === 0) return `SELECT ?imdb ?rt WHERE { ${byImdb} }`;
  return `SELECT ?tmdb ?imdb ?rt WHERE { { ${byTmdb} } UNION { ${byImdb} } }`;
}

function assertTmdbId(id: unknown): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new PermanentServiceError(WikidataErrors.badInput, `TMDB ids must be positive integers, got ${responseSample(String(id), 40)}`);
  }
  return id;
}

const IMDB_ID = /^tt\d{7,10}$/;

function assertImdbId(id: unknown): string {
  if (typeof id !== 'string' || !IMDB_ID.test(id)) {
    throw new PermanentServiceError(WikidataErrors.badInput, `IMDb ids look like tt0944947, got ${responseSample(String(id), 40)}`);
  }
  return id;
}

/**
 * GET keeps queries cacheable at Wikimedia's edge (what the WDQS manual recommends for ordinary
 * queries), but long URLs are refused by proxies on the way (414), so a chunk whose encoded query
 * passes this length goes as a form-encoded POST instead (about 130 ids).
 */
export const MAX_GET_QUERY_CHARS = 2000;

const literal = z.object({ type: z.literal('literal'), value: z.string() });
const sparqlAnswer = z.object({
  head: z.object({ vars: z.array(z.string()) }).optional(),
  results: z.object({
    bindings: z.array(
      z
        .object({
          tmdb: literal.extend({ value: z.string().regex(/^\d+$/) }).optional(),
          imdb: literal.extend({ value: z.string().regex(IMDB_ID) }).optional(),
          rt: literal.extend({ value: z.string().trim().min(1) }),
        })
        .refine((b) => b.tmdb || b.imdb, 'a binding with neither ?tmdb nor ?imdb'),
    ),
  }),
});

/** A counting semaphore whose waiters leave the queue when their signal aborts. */
function createSemaphore(max: number) {
  let active = 0;
  const waiters: (() => void)[] = [];
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiters.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else active--;
    };
  };
  return async (signal?: AbortSignal): Promise<() => void> => {
    signal?.throwIfAborted();
    if (active < max) {
      active++;
      return releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = waiters.indexOf(wake);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal!.reason);
      };
      waiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return releaser();
  };
}

export function createWikidataClient(opts: WikidataClientOptions): WikidataClient {
  const maxInFlight = opts.maxInFlight ?? 5;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  const acquire = createSemaphore(maxInFlight);
  const headers = { accept: 'application/sparql-results+json', 'user-agent': opts.userAgent };

  async function send(query: string, signal?: AbortSignal): Promise<Response<string>> {
    const common = { headers, throwHttpErrors: false, retry: { limit: 0 }, timeout: { request: opts.timeoutMs }, signal } as const;
    const params = { query, format: 'json' };
    try {
      return new URLSearchParams(params).toString().length > MAX_GET_QUERY_CHARS
        ? await got.post(opts.url, { ...common, form: params })
        : await got(opts.url, { ...common, searchParams: params });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TransientServiceError(WikidataErrors.unavailable, `Wikidata did not answer: ${(error as Error).message}`);
    }
  }

  function check(response: Response<string>): void {
    const status = response.statusCode;
    if (status === 200) return;
    if (status === 403) {
      throw new PermanentServiceError(
        WikidataErrors.forbidden,
        `Wikidata refused the request (HTTP 403): Wikimedia's User-Agent policy wants a descriptive agent with contact details; set WIKIDATA_USER_AGENT (sent "${responseSample(opts.userAgent, 80)}")`,
      );
    }
    if (status === 400) throw new PermanentServiceError(WikidataErrors.badQuery, `Wikidata rejected the query (HTTP 400): ${responseSample(response.body)}`);
    if (isTransientStatus(status)) {
      throw new TransientServiceError(WikidataErrors.unavailable, `Wikidata answered HTTP ${status}`, parseRetryAfter(response.headers['retry-after']), isThrottleStatus(status));
    }
    throw new PermanentServiceError(WikidataErrors.httpError, `Wikidata answered HTTP ${status} at ${opts.url}: ${responseSample(response.body, 120)}`);
  }

  function parse(body: string): z.infer<typeof sparqlAnswer> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new TransientServiceError(WikidataErrors.badResponse, `Wikidata answered with a body that is not JSON: ${responseSample(body) || '(empty)'}`);
    }
    const parsed = sparqlAnswer.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TransientServiceError(
        WikidataErrors.badResponse,
        `Wikidata answered JSON that is not a ?tmdb/?imdb ?rt result (${issue?.path.join('.') || 'body'}: ${issue?.message}): ${responseSample(body)}`,
      );
    }
    return parsed.data;
  }

  async function rtIdsFor(keys: { tmdbIds: number[]; imdbIds?: string[] }, signal?: AbortSignal): Promise<WikidataRtIds> {
    const tmdbIds = [...new Set(keys.tmdbIds.map(assertTmdbId))];
    const imdbIds = [...new Set((keys.imdbIds ?? []).map(assertImdbId))];
    const found: WikidataRtIds = { byTmdb: new Map(), byImdb: new Map() };
    if (tmdbIds.length === 0 && imdbIds.length === 0) return found;
    const query = rtIdsQuery(tmdbIds, imdbIds);
    const release = await acquire(signal);
    let response: Response<string>;
    try {
      response = await send(query, signal);
    } finally {
      release();
    }
    check(response);
    const askedTmdb = new Set(tmdbIds);
    const askedImdb = new Set(imdbIds);
    const add = <K>(map: Map<K, string[]>, key: K, rt: string) => {
      const list = map.get(key);
      if (!list) map.set(key, [rt]);
      else if (!list.includes(rt)) list.push(rt);
    };
    for (const binding of parse(response.body).results.bindings) {
      const rt = binding.rt.value.trim();
      // Not ours: never let an answer add ids nobody asked for.
      if (binding.tmdb && askedTmdb.has(Number(binding.tmdb.value))) add(found.byTmdb, Number(binding.tmdb.value), rt);
      if (binding.imdb && askedImdb.has(binding.imdb.value)) add(found.byImdb, binding.imdb.value, rt);
    }
    return found;
  }

  return {
    rtIdsFor,
    async rtIdsForTmdbIds(tmdbIds, signal) {
      return (await rtIdsFor({ tmdbIds }, signal)).byTmdb;
    },
  };
}
