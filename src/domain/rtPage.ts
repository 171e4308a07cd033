// A Rotten Tomatoes show page (`/tv/<slug>`) → what the crawler needs from it (DESIGN §2).
// Sources, best first:
//   1. JSON-LD `TVSeries`: name, dateCreated (first air date), actor names, aggregateRating = Tomatometer.
//   2. `<script id="media-scorecard-json" type="application/json">`: criticsScore.score, audienceScore.score.
//   3. The visible `<media-scorecard>`'s `<rt-text slot=…>`: camelCase on 2025 pages, kebab-case on 2026
//      pages. Read only inside `media-scorecard`: related titles and seasons reuse the slot names with
//      other scores.
// Pure: no I/O.
import { load, type CheerioAPI } from 'cheerio';
import { responseSample } from './text.js';

export interface RtShowPage {
  /** JSON-LD `name`, e.g. "Peacemaker (2022)"; null without JSON-LD. */
  name: string | null;
  /** Year of JSON-LD `dateCreated` (else `startDate`, else `partOfSeries.startDate`); some real pages have none. */
  firstAirYear: number | null;
  /** JSON-LD `actor[].name`, in page order. */
  actors: string[];
  /** Tomatometer, 0–100; null when unscored (never 0 for "no score"). */
  criticsScore: number | null;
  /** Popcornmeter, 0–100; null when unscored. */
  audienceScore: number | null;
  /** The best of the three sources the page has (name, year and actors only come from 'json-ld'). */
  source: 'json-ld' | 'scorecard-json' | 'slots';
}

/** A page the crawler cannot read: truncated, an error page, or a changed layout. Retried, then dead-lettered. */
export class RtParseError extends Error {
  override readonly name = 'RtParseError';
}

/** A sample (responseSample) of the page's visible text, or of its markup when it has none, for error messages. */
function pageSample(html: string): string {
  let text = '';
  try {
    const $ = load(html);
    $('script, style, noscript, template').remove();
    text = $.root().text();
  } catch {
    // fall through to the raw markup
  }
  return responseSample(text) || responseSample(html);
}

/**
 * A page cut short (a truncated transfer, a broken proxy) can still parse: its JSON-LD sits in the
 * head. Without the closing `</html>` it is an error to retry, never an outcome.
 */
export function assertWholePage(html: string): void {
  if (!/<\/html\s*>/i.test(html)) {
    throw new RtParseError(`RT page is incomplete (no closing </html>, ${html.length} chars): "${pageSample(html)}"`);
  }
}

/** "96", "96%", 96 → 96; "", "--", anything else or out of 0–100 → null. */
function parseScore(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 100 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,3})\s*%?$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n <= 100 ? n : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // a broken block counts as absent
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function isTvSeries(o: Obj): boolean {
  const t = o['@type'];
  return t === 'TVSeries' || (Array.isArray(t) && t.includes('TVSeries'));
}

/** The first TVSeries in any JSON-LD block (a block may be an object, an array, or hold an @graph). */
function findTvSeries($: CheerioAPI): Obj | null {
  for (const el of $('script[type="application/ld+json"]').toArray()) {
    const queue: unknown[] = [parseJson($(el).text())];
    while (queue.length > 0) {
      const v = queue.shift();
      if (Array.isArray(v)) queue.push(...(v as unknown[]));
      else if (isObj(v)) {
        if (isTvSeries(v)) return v;
        if (Array.isArray(v['@graph'])) queue.push(...(v['@graph'] as unknown[]));
      }
    }
  }
  return null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.replace(/\s+/g, ' ').trim() : null;
}

function readJsonLd(o: Obj): Pick<RtShowPage, 'name' | 'firstAirYear' | 'actors'> & { critics: number | null } {
  const series = isObj(o.partOfSeries) ? o.partOfSeries : {};
  const date = [o.dateCreated, o.startDate, series.startDate].find((d): d is string => typeof d === 'string' && /^\s*\d{4}/.test(d));
  const year = /^\s*(\d{4})/.exec(date ?? '');
  const actorList: unknown[] = Array.isArray(o.actor) ? (o.actor as unknown[]) : o.actor === undefined ? [] : [o.actor];
  const actors = actorList
    .map((a) => (isObj(a) ? text(a.name) : text(a)))
    .filter((n): n is string => n !== null);
  const rating = isObj(o.aggregateRating) ? o.aggregateRating.ratingValue : undefined;
  return { name: text(o.name), firstAirYear: year ? Number(year[1]) : null, actors, critics: parseScore(rating) };
}

function readScorecardJson($: CheerioAPI): { critics: number | null; audience: number | null } | null {
  const el = $('script#media-scorecard-json').first();
  if (el.length === 0) return null;
  const v = parseJson(el.text());
  if (!isObj(v)) return null;
  const side = (k: string): number | null => (isObj(v[k]) ? parseScore((v[k] as Obj).score) : null);
  return { critics: side('criticsScore'), audience: side('audienceScore') };
}

const CRITICS_SLOTS = ['criticsScore', 'critics-score'];
const AUDIENCE_SLOTS = ['audienceScore', 'audience-score'];

function readSlots($: CheerioAPI): { critics: number | null; audience: number | null } | null {
  const card = $('media-scorecard').first();
  if (card.length === 0) return null;
  const slot = (names: string[]) => card.find(names.map((n) => `rt-text[slot="${n}"]`).join(', ')).first();
  const critics = slot(CRITICS_SLOTS);
  const audience = slot(AUDIENCE_SLOTS);
  if (critics.length === 0 && audience.length === 0) return null;
  return {
    critics: critics.length > 0 ? parseScore(critics.text()) : null,
    audience: audience.length > 0 ? parseScore(audience.text()) : null,
  };
}

/**
 * Reads a show page. Per side, the score is the first number stated by JSON-LD (critics only), then the
 * scorecard JSON, then the scorecard's slots; a side none of them scores is null. A page with none of the
 * three sources throws RtParseError carrying a sample of the page.
 */
export function parseRtShowPage(html: string): RtShowPage {
  const $ = load(html);
  const series = findTvSeries($);
  const ld = series ? readJsonLd(series) : null;
  const json = readScorecardJson($);
  const slots = readSlots($);
  if (!ld && !json && !slots) {
    throw new RtParseError(`RT show page has no JSON-LD TVSeries, scorecard JSON or scorecard slots: "${pageSample(html)}"`);
  }
  const first = (...xs: (number | null | undefined)[]): number | null => xs.find((x) => typeof x === 'number') ?? null;
  return {
    name: ld?.name ?? null,
    firstAirYear: ld?.firstAirYear ?? null,
    actors: ld?.actors ?? [],
    criticsScore: first(ld?.critics, json?.critics, slots?.critics),
    audienceScore: first(json?.audience, slots?.audience),
    source: ld ? 'json-ld' : json ? 'scorecard-json' : 'slots',
  };
}
