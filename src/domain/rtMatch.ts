// Finding a show's Rotten Tomatoes page without /search (forbidden by robots.txt): a Wikidata id,
// else slug candidates checked against the page's JSON-LD (DESIGN §2). Pure functions, no I/O.
import { displayShowName, foldText, personKey, showKey } from './names.js';
import type { RtShowPage } from './rtPage.js';

/** Names needed in common: ⌈min(|A|,|B|)/2⌉ of the distinct person keys. */
export function castThreshold(a: number, b: number): number {
  return Math.ceil(Math.min(a, b) / 2);
}

/** At most this many candidates per show: each one is a request (a show not on RT costs them all). */
const MAX_SLUG_CANDIDATES = 8;

const TRAILING_YEAR = /\s*\((\d{4})\)\s*$/;

/**
 * A title's slug words. RT's slug rule as we know it: the title's words, diacritics stripped (NFKD, plus
 * ß æ œ ø ł…), lowercased, apostrophes dropped ("Grey's" → "greys"), every other run of punctuation or
 * space a separator ("Half-Moon: Rising" → half, moon, rising), a trailing region tag ("(U.S.)") dropped.
 * "&" is either dropped like other punctuation (what the stand-in does) or spelled "and"; both forms
 * are returned when the title has one, dropped first.
 */
function slugWordSets(title: string): string[][] {
  const base = foldText(displayShowName(title)).replace(/['’‘`´]/g, '');
  const forms = [base.replace(/&/g, ' ')];
  if (base.includes('&')) forms.push(base.replace(/&/g, ' and '));
  return forms.map((f) => f.split(/[^a-z0-9]+/).filter((w) => w.length > 0)).filter((ws) => ws.length > 0);
}

/**
 * RT ids (`tv/<slug>`) to try for a show (DESIGN §2: `_` and `-` forms, with and without
 * `_<first-air year>`), most likely first, cut to MAX_SLUG_CANDIDATES: every title form `_`-joined
 * (`tv/the_bear`), then `_`-joined with the year (`tv/peacemaker_2022`, how RT tells colliding titles
 * apart), then `-`-joined (`tv/the-middle`, older pages), and last, seen least, `-`-joined with the
 * year. Title forms: the TMDB name, then the original name (deduplicated); a trailing "(YYYY)" on a
 * title also offers that year.
 */
export function rtSlugCandidates(show: { name: string; originalName?: string | null; firstAirYear: number | null }): string[] {
  const wordSets: string[][] = [];
  const years = new Set<number>();
  if (show.firstAirYear !== null) years.add(show.firstAirYear);
  for (const title of [show.name, show.originalName ?? '']) {
    const m = TRAILING_YEAR.exec(title);
    if (m) years.add(Number(m[1]));
    wordSets.push(...slugWordSets(title.replace(TRAILING_YEAR, '')));
  }
  const out: string[] = [];
  const add = (slug: string) => {
    if (slug && !out.includes(`tv/${slug}`)) out.push(`tv/${slug}`);
  };
  for (const ws of wordSets) add(ws.join('_'));
  for (const ws of wordSets) for (const y of years) add(`${ws.join('_')}_${y}`);
  for (const ws of wordSets) add(ws.join('-'));
  for (const ws of wordSets) for (const y of years) add(`${ws.join('-')}_${y}`);
  return out.slice(0, MAX_SLUG_CANDIDATES);
}

/** The `tv/` id among a show's Wikidata P1258 values (film ids start with `m/`), or null. */
export function rtIdFromWikidata(ids: readonly string[]): string | null {
  for (const raw of ids) {
    const id = raw.trim().replace(/^\/+/, '');
    if (/^tv\/[^/\s]+$/.test(id)) return id;
  }
  return null;
}

export type RtAcceptance = { ok: true } | { ok: false; reason: string };

export interface RtShowFacts {
  name: string;
  originalName: string | null;
  firstAirYear: number | null;
  /** TMDB cast names. */
  cast: string[];
}

function keySet(names: readonly string[]): Set<string> {
  return new Set(names.map(personKey).filter((k) => k.length > 0));
}

/**
 * Whether a page found by slug is the show's page, judged by its JSON-LD (DESIGN §2):
 * - the first-air years are known on both sides and at most one year apart;
 * - with a cast on both sides, ⌈min(|A|,|B|)/2⌉ names in common (compared by personKey);
 * - with no cast on either side, the page's name without a trailing " (YYYY)" equals the TMDB name or
 *   original name (by showKey), and both years are known and equal: without a cast, a namesake one
 *   year apart (a region twin, a remake) is otherwise indistinguishable.
 * A page without JSON-LD (no name, year or actors) is never accepted.
 */
export function acceptRtPage(page: RtShowPage, show: RtShowFacts): RtAcceptance {
  const py = page.firstAirYear;
  const ty = show.firstAirYear;
  // A year that cannot be compared cannot agree: a guessed page must prove itself.
  if (py === null || ty === null) return { ok: false, reason: `no first-air year to compare (${py ?? 'none'} on RT, ${ty ?? 'none'} on TMDB)` };
  if (Math.abs(py - ty) > 1) return { ok: false, reason: `first-air year ${py} on RT vs ${ty} on TMDB` };
  const rt = keySet(page.actors);
  const tmdb = keySet(show.cast);
  if (rt.size > 0 && tmdb.size > 0) {
    let shared = 0;
    for (const k of rt) if (tmdb.has(k)) shared++;
    const need = castThreshold(rt.size, tmdb.size);
    return shared >= need ? { ok: true } : { ok: false, reason: `${shared} of ${rt.size} RT actors in the TMDB cast, ${need} needed` };
  }
  if (page.name === null) return { ok: false, reason: 'no cast to compare and no name on the page' };
  const pageKey = showKey(page.name.replace(TRAILING_YEAR, ''));
  const names = [show.name, show.originalName ?? ''].filter((n) => n.trim()).map((n) => showKey(n.replace(TRAILING_YEAR, '')));
  if (!pageKey || !names.includes(pageKey)) return { ok: false, reason: `no cast to compare and the name "${page.name}" differs` };
  if (py !== ty) return { ok: false, reason: `no cast to compare and first-air year ${py} on RT vs ${ty} on TMDB` };
  return { ok: true };
}
