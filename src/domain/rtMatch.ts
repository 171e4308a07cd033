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
 * ß æ œ ø ł…), lowercased, apostrophes dropped ("Grey's" → "greys"), a dot inside a word dropped too
 * ("L.A." → "la", "4.0" → "40": real RT slugs, DESIGN §2), every other run of punctuation or space a
 * separator ("Half-Moon: Rising" → half, moon, rising; "Mr. Robot" → mr, robot), a trailing region tag
 * ("(U.S.)") dropped. "&" is either dropped like other punctuation (what the stand-in does) or spelled
 * "and"; both forms are returned when the title has one, dropped first.
 */
function slugWordSets(title: string): string[][] {
  const base = foldText(displayShowName(title))
    .replace(/['’‘`´]/g, '')
    .replace(/(?<=[a-z0-9])\.(?=[a-z0-9])/g, '');
  const forms = [base.replace(/&/g, ' ')];
  if (base.includes('&')) forms.push(base.replace(/&/g, ' and '));
  return forms.map((f) => f.split(/[^a-z0-9]+/).filter((w) => w.length > 0)).filter((ws) => ws.length > 0);
}

/** One RT id to try for a show. */
export interface SlugCandidate {
  rtId: string;
  /**
   * A `_<first-air year>` form: RT adds the year only where a title collides with another show's, so
   * it is worth a request only once a bare form answered with another show's page. A year the title
   * itself carries ("Peacemaker (2022)") already says there is a collision: its forms are not gated.
   */
  ifTaken: boolean;
}

/**
 * RT ids (`tv/<slug>`) to try for a show (DESIGN §2: `_` and `-` forms, with and without
 * `_<first-air year>`), most likely first, cut to MAX_SLUG_CANDIDATES: every title form `_`-joined
 * (`tv/the_bear`), then `_`-joined with the year (`tv/peacemaker_2022`, how RT tells colliding titles
 * apart), then `-`-joined (`tv/the-middle`, older pages), and last, seen least, `-`-joined with the
 * year. Title forms: the TMDB name, then the original name (deduplicated); a trailing "(YYYY)" on a
 * title also offers that year. The crawler skips the `ifTaken` ones until a collision shows up.
 */
export function rtSlugCandidates(show: { name: string; originalName?: string | null; firstAirYear: number | null }): SlugCandidate[] {
  const wordSets: string[][] = [];
  const years = new Map<number, boolean>(); // year → gated (true) or named by the title (false)
  if (show.firstAirYear !== null) years.set(show.firstAirYear, true);
  for (const title of [show.name, show.originalName ?? '']) {
    const m = TRAILING_YEAR.exec(title);
    if (m) years.set(Number(m[1]), false);
    wordSets.push(...slugWordSets(title.replace(TRAILING_YEAR, '')));
  }
  const out: SlugCandidate[] = [];
  const add = (slug: string, ifTaken: boolean) => {
    if (slug && !out.some((c) => c.rtId === `tv/${slug}`)) out.push({ rtId: `tv/${slug}`, ifTaken });
  };
  for (const ws of wordSets) add(ws.join('_'), false);
  for (const ws of wordSets) for (const [y, gated] of years) add(`${ws.join('_')}_${y}`, gated);
  for (const ws of wordSets) add(ws.join('-'), false);
  for (const ws of wordSets) for (const [y, gated] of years) add(`${ws.join('-')}_${y}`, gated);
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

/** A page's first-air year: its JSON-LD date, else a "(YYYY)" its name ends with ("Peacemaker (2022)"). */
function pageYear(page: RtShowPage): number | null {
  if (page.firstAirYear !== null) return page.firstAirYear;
  const m = page.name === null ? null : TRAILING_YEAR.exec(page.name);
  return m ? Number(m[1]) : null;
}

/**
 * Names needed in common when a first-air year is missing on a side (some real pages carry no date at
 * all): the year no longer rules out a namesake (a remake, a region twin), so the cast alone must, and
 * a remake may keep a lead or two. At least 3 names, and at least two thirds of the smaller cast.
 */
export function strongCastThreshold(a: number, b: number): number {
  return Math.max(3, Math.ceil((2 * Math.min(a, b)) / 3));
}

/**
 * Whether a page found by slug is the show's page, judged by its JSON-LD (DESIGN §2):
 * - years known on both sides (the page's JSON-LD date, else a "(YYYY)" its name ends with) are at
 *   most one year apart, and with a cast on both sides ⌈min(|A|,|B|)/2⌉ names are in common (by personKey);
 * - a year missing on a side is not a year that disagrees: the page is accepted on strong cast
 *   agreement alone (strongCastThreshold);
 * - with no cast on either side, the page's name without a trailing " (YYYY)" equals the TMDB name or
 *   original name (by showKey), and both years are known and equal: without a cast, a namesake one
 *   year apart (a region twin, a remake) is otherwise indistinguishable.
 * A page without JSON-LD (no name, year or actors) is never accepted.
 */
export function acceptRtPage(page: RtShowPage, show: RtShowFacts): RtAcceptance {
  const py = pageYear(page);
  const ty = show.firstAirYear;
  if (py !== null && ty !== null && Math.abs(py - ty) > 1) return { ok: false, reason: `first-air year ${py} on RT vs ${ty} on TMDB` };
  const rt = keySet(page.actors);
  const tmdb = keySet(show.cast);
  if (rt.size > 0 && tmdb.size > 0) {
    let shared = 0;
    for (const k of rt) if (tmdb.has(k)) shared++;
    const yearless = py === null || ty === null;
    const need = yearless ? strongCastThreshold(rt.size, tmdb.size) : castThreshold(rt.size, tmdb.size);
    if (shared >= need) return { ok: true };
    const why = yearless ? `, and no first-air year to compare (${py ?? 'none'} on RT, ${ty ?? 'none'} on TMDB)` : '';
    return { ok: false, reason: `${shared} of ${rt.size} RT actors in the TMDB cast, ${need} needed${why}` };
  }
  // With neither cast nor year, a same-named page proves nothing.
  if (py === null || ty === null) return { ok: false, reason: `no cast and no first-air year to compare (${py ?? 'none'} on RT, ${ty ?? 'none'} on TMDB)` };
  if (page.name === null) return { ok: false, reason: 'no cast to compare and no name on the page' };
  const pageKey = showKey(page.name.replace(TRAILING_YEAR, ''));
  const names = [show.name, show.originalName ?? ''].filter((n) => n.trim()).map((n) => showKey(n.replace(TRAILING_YEAR, '')));
  if (!pageKey || !names.includes(pageKey)) return { ok: false, reason: `no cast to compare and the name "${page.name}" differs` };
  if (py !== ty) return { ok: false, reason: `no cast to compare and first-air year ${py} on RT vs ${ty} on TMDB` };
  return { ok: true };
}
