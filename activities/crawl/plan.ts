// The crawl's first step: what to ask RT for each show of a chunk. The show's TMDB facts (names,
// first-air year, cast), Wikidata's RT ids for its TMDB and IMDb ids, then the slug candidates, most
// likely first. Wikidata is asked once per chunk; when it is down, slug guesses alone find most pages.
import { log } from '@temporalio/activity';
import { PermanentServiceError } from '../../src/clients/errors.js';
import type { ServiceCaller } from '../../src/clients/retry.js';
import type { WikidataClient, WikidataRtIds } from '../../src/clients/wikidata.js';
import type { Db } from '../../src/db/index.js';
import type { RtMatch } from '../../src/db/schema.js';
import { type RtShowFacts, rtIdFromWikidata, rtSlugCandidates } from '../../src/domain/rtMatch.js';
import { firstAirYear } from '../../src/domain/tmdbMatch.js';

/** One RT id to try for a show, and how we came by it. */
export interface Candidate {
  rtId: string;
  via: Exclude<RtMatch, 'not_found'>;
  /** A `_<year>` slug: skipped unless a bare slug answered with another show's page. */
  ifTaken?: boolean;
}

export interface ShowPlan {
  showId: number;
  facts: RtShowFacts;
  candidates: Candidate[];
  /** A slug answered with another show's page: the year-suffixed forms are worth trying. */
  collided: boolean;
  /** Indexes of the candidates requested or found forbidden. */
  looked: Set<number>;
  /** Candidates robots.txt forbade: reported when nothing else matched. */
  forbidden: string[];
}

type ShowFacts = RtShowFacts & { tmdbId: number | null; imdbId: string | null };

export interface Planner {
  plan(showIds: number[], signal: AbortSignal): Promise<Map<number, ShowPlan>>;
}

export function createPlanner({ db, caller, wikidata }: { db: Db; caller: ServiceCaller; wikidata?: WikidataClient }): Planner {
  let wikidataRefused = false;

  /** What the crawl knows of each show from TMDB: names, first-air year and cast. */
  async function loadFacts(showIds: number[]): Promise<Map<number, ShowFacts>> {
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
    for (const row of castRows) {
      const names = cast.get(row.show_id);
      if (names) names.push(row.name);
      else cast.set(row.show_id, [row.name]);
    }
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

  return {
    async plan(showIds, signal) {
      const facts = await loadFacts(showIds);
      const known = [...facts.values()];
      const mapped = await wikidataIds(
        known.flatMap((f) => (f.tmdbId ? [f.tmdbId] : [])),
        known.flatMap((f) => (f.imdbId ? [f.imdbId] : [])),
        signal,
      );
      const plans = new Map<number, ShowPlan>();
      for (const [showId, f] of facts) {
        // By TMDB id first, then by IMDb id: two items can disagree (one id stale), and each is one request.
        const fromWikidata = [f.tmdbId ? mapped.byTmdb.get(f.tmdbId) : undefined, f.imdbId ? mapped.byImdb.get(f.imdbId) : undefined]
          .map((ids) => rtIdFromWikidata(ids ?? []))
          .filter((id, i, all): id is string => id !== null && all.indexOf(id) === i);
        const candidates: Candidate[] = fromWikidata.map((rtId) => ({ rtId, via: 'wikidata' }));
        for (const { rtId, ifTaken } of rtSlugCandidates(f)) if (!fromWikidata.includes(rtId)) candidates.push({ rtId, via: 'slug', ifTaken });
        plans.set(showId, { showId, facts: f, candidates, collided: false, looked: new Set(), forbidden: [] });
      }
      return plans;
    },
  };
}
