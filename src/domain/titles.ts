// Netflix history titles → show/season/episode or film (DESIGN §1).
//
// Rules:
// - Whitespace is trimmed and collapsed first.
// - The split happens at the FIRST colon-delimited segment that is season-like
//   (Season N, Series N, Limited Series, Part N, Volume N / Vol. N, Book N,
//   Collection, Chapter N, Miniseries). Show names and episode titles keep
//   their own colons.
// - A season-like segment must have a show before it and a colon after it.
//   One that ends the title ("Kill Bill: Vol. 1", "…Deathly Hallows: Part 2")
//   is a film's sequel number, not a season, so such titles are films.
// - N may be digits, an English number word (One…Twenty) or a Roman numeral.
import { showIdentityKey, showKey } from './names.js';

export type ParsedTitle =
  /** identityKey: the show row's key (showIdentityKey: the region tag keeps tagged remakes apart). */
  | { kind: 'episode'; show: string; identityKey: string; season: string; episode: string }
  | { kind: 'film'; title: string; titleKey: string };

export class TitleParseError extends Error {
  override readonly name = 'TitleParseError';
  constructor(
    message: string,
    readonly raw: string,
  ) {
    super(message);
  }
}

const NUMBER_WORDS = [
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
];
const NUM = String.raw`(?:\d+|${NUMBER_WORDS.join('|')}|[ivxl]+)`;
const LABEL = String.raw`(?:season|series|part|volume|vol\.?|book|chapter)\s${NUM}|limited\sseries|mini-?series|collection`;
// Preceded by a colon, followed by a colon or the end; the lookahead leaves the colon unconsumed.
const SEASON_SEGMENT = new RegExp(String.raw`:\s?(${LABEL})\s?(?=:|$)`, 'giu');

const CANONICAL_KEYWORD: Record<string, string> = {
  season: 'Season', series: 'Series', part: 'Part', volume: 'Volume', vol: 'Vol.', 'vol.': 'Vol.',
  book: 'Book', chapter: 'Chapter',
};

/** Canonical casing for a label as printed: "SEASON 2" → "Season 2", "book one" → "Book One". */
function normalizeLabel(label: string): string {
  const lower = label.toLowerCase();
  if (lower === 'limited series') return 'Limited Series';
  if (lower === 'collection') return 'Collection';
  if (lower === 'miniseries') return 'Miniseries';
  if (lower === 'mini-series') return 'Mini-Series';
  const [keyword, num] = lower.split(' ');
  let n = num;
  if (NUMBER_WORDS.includes(num)) n = num[0].toUpperCase() + num.slice(1);
  else if (/^[ivxl]+$/.test(num)) n = num.toUpperCase();
  return `${CANONICAL_KEYWORD[keyword] ?? keyword} ${n}`;
}

export function parseNetflixTitle(raw: string): ParsedTitle {
  const s = raw.replace(/\s+/gu, ' ').trim();
  if (s.length === 0) throw new TitleParseError('empty title', raw);

  for (const m of s.matchAll(SEASON_SEGMENT)) {
    const end = m.index + m[0].length;
    const show = s.slice(0, m.index).trim();
    if (show.length === 0) continue;
    // A label that ends the title is a film's sequel number ("Kill Bill: Vol. 1").
    if (end >= s.length) break;
    return {
      kind: 'episode',
      show,
      identityKey: showIdentityKey(show),
      season: normalizeLabel(m[1]),
      episode: s.slice(end + 1).trim(),
    };
  }
  return { kind: 'film', title: s, titleKey: showKey(s) };
}
