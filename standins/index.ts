// Starts the five stand-ins (Gandalf, TMDB, Rotten Tomatoes, OpenAI-compatible, Wikidata) on loopback.
import { buildCatalog, type Catalog } from './catalog.js';
import { createGandalfStandin } from './gandalf.js';
import { listenStandin, type ListeningStandin } from './http.js';
import { SERVICE_NAMES, type Limits, type ServiceName, type ServiceStats } from './limits.js';
import { createOpenAiStandin } from './openai.js';
import { createRtStandin } from './rt.js';
import { createTmdbStandin } from './tmdb.js';
import type { RtMarkupEra } from './rtFacts.js';
import { createWikidataStandin } from './wikidata.js';

export { buildCatalog } from './catalog.js';
export type { Catalog, CatalogShow, CatalogActor, CatalogFilm, CatalogSeason, CatalogCastMember } from './catalog.js';
export { historyFor, DEMO_DATA_KEYS, parseDataKey, type HistoryActivity } from './histories.js';
export { DEFAULT_LIMITS, SERVICE_NAMES, type Limits, type ServiceName, type ServiceStats } from './limits.js';
export { createGandalfStandin } from './gandalf.js';
export { createTmdbStandin } from './tmdb.js';
export { createRtStandin } from './rt.js';
export { createOpenAiStandin } from './openai.js';
export { createWikidataStandin } from './wikidata.js';
export { listenStandin, type Standin, type ListeningStandin } from './http.js';
export { rtFactsFor, type RtFacts, type RtMarkupEra } from './rtFacts.js';

export interface StandinsOptions {
  gandalfPublicKeyHex: string;
  tmdbApiKey: string;
  openaiApiKey: string;
  limits?: Partial<Record<ServiceName, Partial<Limits>>>;
  /** 0 or absent = a free port. */
  ports?: Partial<Record<ServiceName, number>>;
  host?: string;
  /** Share of LLM answers that break their schema (default 0). */
  openaiInvalidRate?: number;
  catalog?: Catalog;
}

export interface StandinUrls {
  /** GANDALF_URL, e.g. http://127.0.0.1:p/public/gql */
  gandalf: string;
  /** TMDB_URL, e.g. http://127.0.0.1:p/3 */
  tmdb: string;
  /** RT_URL, e.g. http://127.0.0.1:p */
  rt: string;
  /** OPENAI_BASE_URL, e.g. http://127.0.0.1:p/v1 */
  openai: string;
  /** WIKIDATA_URL, e.g. http://127.0.0.1:p/sparql */
  wikidata: string;
}

export interface RunningStandins {
  urls: StandinUrls;
  catalog: Catalog;
  stats(): Record<ServiceName, ServiceStats>;
  resetStats(): void;
  limits(): Record<ServiceName, Limits>;
  setLimits(service: ServiceName, limits: Partial<Limits>): void;
  /** TMDB requests served per path (searches per query): what a session or a crawl asked TMDB for. */
  tmdbRequestCounts(): Map<string, number>;
  /** RT requests per path (query strings dropped), throttled ones included. */
  rtRequestCounts(): Map<string, number>;
  /** Distinct paths the RT stand-in was asked for (so tests can assert /search never was). */
  rtRequestedPaths(): string[];
  /** Force one RT markup era (2025 camelCase or 2026 kebab-case slots) for every page, or undefined for each show's own. */
  setRtEra(era: RtMarkupEra | undefined): void;
  close(): Promise<void>;
}

export async function startStandins(opts: StandinsOptions): Promise<RunningStandins> {
  const catalog = opts.catalog ?? buildCatalog();
  const host = opts.host ?? '127.0.0.1';
  const standins = {
    gandalf: createGandalfStandin({ publicKeyHex: opts.gandalfPublicKeyHex, limits: opts.limits?.gandalf, catalog }),
    tmdb: createTmdbStandin({ apiKey: opts.tmdbApiKey, limits: opts.limits?.tmdb, catalog }),
    rt: createRtStandin({ limits: opts.limits?.rt, catalog }),
    openai: createOpenAiStandin({ apiKey: opts.openaiApiKey, limits: opts.limits?.openai, invalidRate: opts.openaiInvalidRate }),
    wikidata: createWikidataStandin({ limits: opts.limits?.wikidata, catalog }),
  };
  const running: Partial<Record<ServiceName, ListeningStandin>> = {};
  try {
    for (const name of SERVICE_NAMES) running[name] = await listenStandin(standins[name], opts.ports?.[name] ?? 0, host);
  } catch (err) {
    // A busy port must not leak the servers that did start.
    await Promise.all(Object.values(running).map((s) => s.close()));
    throw err;
  }
  const all = running as Record<ServiceName, ListeningStandin>;
  return {
    urls: { gandalf: all.gandalf.url, tmdb: all.tmdb.url, rt: all.rt.url, openai: all.openai.url, wikidata: all.wikidata.url },
    catalog,
    stats: () => Object.fromEntries(SERVICE_NAMES.map((n) => [n, all[n].gate.stats()])) as Record<ServiceName, ServiceStats>,
    resetStats: () => {
      SERVICE_NAMES.forEach((n) => all[n].gate.resetStats());
      standins.tmdb.resetRequestCounts();
      standins.rt.resetRequestCounts();
    },
    limits: () => Object.fromEntries(SERVICE_NAMES.map((n) => [n, all[n].gate.limits])) as Record<ServiceName, Limits>,
    setLimits: (service, limits) => all[service].gate.setLimits(limits),
    tmdbRequestCounts: () => standins.tmdb.requestCounts(),
    rtRequestCounts: () => standins.rt.requestCounts(),
    rtRequestedPaths: () => standins.rt.requestedPaths(),
    setRtEra: (era) => standins.rt.setEra(era),
    close: async () => {
      await Promise.all(SERVICE_NAMES.map((n) => all[n].close()));
    },
  };
}
