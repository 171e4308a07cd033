// Rotten Tomatoes pages → rows and scores, and the cast-overlap match (DESIGN §2).
import { load } from 'cheerio';
import { personKey } from './names.js';

export interface RtSearchRow {
  title: string;
  url: string;
  slug: string;
  cast: string[];
  startYear: number | null;
  endYear: number | null;
}

export interface RtScores {
  criticsScore: number | null;
  audienceScore: number | null;
}

/** A show page that has neither score slot: truncated, an error page, or a changed layout. */
export class RtParseError extends Error {
  override readonly name = 'RtParseError';
}

function parseYear(v: string | undefined): number | null {
  const m = /^\s*(\d{4})\s*$/.exec(v ?? '');
  return m ? Number(m[1]) : null;
}

/** TV rows of a search page, in page order. Film groups and rows without a /tv/ link are skipped. */
export function parseRtSearchPage(html: string): RtSearchRow[] {
  const $ = load(html);
  const rows: RtSearchRow[] = [];
  $('search-page-result[type="tvSeries"] search-page-media-row').each((_, el) => {
    const row = $(el);
    const link = row.find('a[data-qa="info-name"]').first();
    const anchor = link.length > 0 ? link : row.find('a[slot="title"]').first();
    const url = (anchor.attr('href') ?? '').trim();
    const slug = /\/tv\/([^/?#]+)/.exec(url)?.[1];
    if (!slug) return;
    const cast = (row.attr('cast') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    rows.push({
      title: anchor.text().replace(/\s+/g, ' ').trim(),
      url,
      slug,
      cast,
      startYear: parseYear(row.attr('start-year') ?? row.attr('startyear')),
      endYear: parseYear(row.attr('end-year') ?? row.attr('endyear')),
    });
  });
  return rows;
}

function keySet(names: readonly string[]): Set<string> {
  return new Set(names.map(personKey).filter((k) => k.length > 0));
}

/** Names needed in common: ⌈min(|A|,|B|)/2⌉ of the distinct person keys. */
export function castThreshold(a: number, b: number): number {
  return Math.ceil(Math.min(a, b) / 2);
}

/** The first row whose cast shares enough names with the TMDB cast; rows with no cast never match. */
export function pickRtRow(rows: readonly RtSearchRow[], tmdbCastNames: readonly string[]): RtSearchRow | null {
  const tmdb = keySet(tmdbCastNames);
  if (tmdb.size === 0) return null;
  for (const row of rows) {
    const rt = keySet(row.cast);
    if (rt.size === 0) continue;
    let shared = 0;
    for (const k of rt) if (tmdb.has(k)) shared++;
    if (shared >= castThreshold(rt.size, tmdb.size)) return row;
  }
  return null;
}

function parseScore(text: string): number | null {
  const m = /^(\d{1,3})\s*%?$/.exec(text.replace(/\s+/g, ' ').trim());
  if (!m) return null; // "", "--" or anything else unreadable
  const n = Number(m[1]);
  return n <= 100 ? n : null;
}

export function parseRtShowPage(html: string): RtScores {
  const $ = load(html);
  const critics = $('rt-text[slot="criticsScore"]').first();
  const audience = $('rt-text[slot="audienceScore"]').first();
  if (critics.length === 0 && audience.length === 0) {
    throw new RtParseError('RT show page has neither a criticsScore nor an audienceScore slot');
  }
  return {
    criticsScore: critics.length > 0 ? parseScore(critics.text()) : null,
    audienceScore: audience.length > 0 ? parseScore(audience.text()) : null,
  };
}
