// What the Rotten Tomatoes and Wikidata stand-ins agree on for each catalog show (DESIGN §2):
// the page's slug (most `_`-joined words, some older ones `-`-joined, collisions with `_<year>`),
// which markup era its page is in, and what Wikidata maps its TMDB id to (partial and sometimes stale).
// Derived from hashes of the show id, never from the catalog's RNG, so the catalog stays as it was.
// The kinds are DESIGN §2's; the shares (8% dashed slugs, half the pages per era, a quarter unmapped,
// 5% stale, 2% with a film id beside the show's, three in five of the unmapped found by IMDb id) and
// the rule below that year-suffixed slugs are never dashed are our own test choices, not measurements
// of RT or Wikidata.
import type { CatalogShow } from './catalog.js';
import { hashString } from './random.js';

/** RT's scorecard slot spelling: camelCase on 2025 pages, kebab-case on 2026 pages. */
export type RtMarkupEra = '2025' | '2026';

export type WikidataMapping =
  /** The show has no Wikidata item with both P4983 and P1258 (about a quarter of the shows). */
  | { kind: 'unmapped' }
  /** P1258 holds the show's current RT id. */
  | { kind: 'current'; rtIds: string[] }
  /** P1258 holds a former id whose page is gone (404): clients must fall back to slug candidates. */
  | { kind: 'stale'; rtIds: string[] };

export interface RtFacts {
  /** The path segment after /tv/. */
  slug: string;
  era: RtMarkupEra;
  /** What Wikidata maps the show's TMDB id (P4983) to. */
  wikidata: WikidataMapping;
  /**
   * What it maps the show's IMDb id (P345) to: the same item when the TMDB id found one; P345 is on
   * far more items than P4983, so some shows the TMDB id misses are found by their IMDb id.
   */
  wikidataByImdb: WikidataMapping;
}

function bucket(key: string): number {
  return hashString(key) % 100;
}

/** Null when the show is not on RT at all. */
export function rtFactsFor(show: CatalogShow): RtFacts | null {
  if (!show.rt) return null;
  const underscored = show.rt.slug;
  // Some older pages join words with '-' (`/tv/the-middle`, a real one). That a year-suffixed slug is
  // never dashed is our simplification for the stand-in, not a known RT rule.
  const dashed = underscored.includes('_') && !/_\d{4}$/.test(underscored) && bucket(`rt-slug-dash:${show.id}`) < 8;
  const slug = dashed ? underscored.replace(/_/g, '-') : underscored;
  const era: RtMarkupEra = bucket(`rt-era:${show.id}`) < 50 ? '2025' : '2026';
  const w = bucket(`wikidata:${show.id}`);
  let wikidata: WikidataMapping;
  if (w < 25) wikidata = { kind: 'unmapped' };
  else if (w < 30) wikidata = { kind: 'stale', rtIds: [`tv/${underscored}_old`] };
  else if (w < 32) wikidata = { kind: 'current', rtIds: [`m/${underscored}`, `tv/${slug}`] }; // a film id beside the show's
  else wikidata = { kind: 'current', rtIds: [`tv/${slug}`] };
  const byImdb: WikidataMapping = bucket(`wikidata-imdb:${show.id}`) < 60 ? { kind: 'current', rtIds: [`tv/${slug}`] } : { kind: 'unmapped' };
  return { slug, era, wikidata, wikidataByImdb: wikidata.kind === 'unmapped' ? byImdb : wikidata };
}
