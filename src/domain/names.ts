// Matching keys for show and person names. Pure functions, no I/O.

// Letters NFKD does not decompose but people type without the accent anyway.
const EXTRA_FOLDS: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i',
};

/** NFKD, strip combining marks, lowercase, fold a few stand-alone letters. */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => EXTRA_FOLDS[c] ?? c);
}

/**
 * Remove punctuation. Apostrophes and dots join their neighbours
 * ("Grey's" → "greys", "S.H.I.E.L.D." → "shield"); every other symbol
 * separates words ("Spider-Man" → "spider man").
 */
function stripPunctuation(s: string): string {
  return s
    .replace(/['’‘`´.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Region tags Netflix appends to localised remakes, compared after folding and removing dots and
// spaces ("U.K." → "uk", "South Korea" → "southkorea"), with the ISO 3166-1 alpha-2 code TMDB uses
// in `origin_country` (the UK is GB there). Tags naming no single country (LATAM, Middle East) are
// still tags, stripped from the name, but give no region (null).
// Two-letter codes that are also English words (in, no, it, at, my, be, id) are left out.
const REGION_TAGS: Record<string, string | null> = {
  us: 'US', usa: 'US', america: 'US', american: 'US',
  uk: 'GB', gb: 'GB', britain: 'GB', greatbritain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  ireland: 'IE', au: 'AU', aus: 'AU', australia: 'AU', nz: 'NZ', newzealand: 'NZ',
  ca: 'CA', canada: 'CA', quebec: 'CA', mx: 'MX', mexico: 'MX', br: 'BR', brazil: 'BR',
  ar: 'AR', argentina: 'AR', colombia: 'CO', chile: 'CL', peru: 'PE', venezuela: 'VE',
  latam: null, latinamerica: null, es: 'ES', spain: 'ES', fr: 'FR', france: 'FR', de: 'DE', germany: 'DE',
  italy: 'IT', nl: 'NL', netherlands: 'NL', holland: 'NL', belgium: 'BE', flanders: 'BE',
  se: 'SE', sweden: 'SE', norway: 'NO', dk: 'DK', denmark: 'DK', fi: 'FI', finland: 'FI', iceland: 'IS',
  pl: 'PL', poland: 'PL', pt: 'PT', portugal: 'PT', ch: 'CH', switzerland: 'CH', austria: 'AT',
  gr: 'GR', greece: 'GR', tr: 'TR', turkey: 'TR', turkiye: 'TR', ru: 'RU', russia: 'RU', ua: 'UA', ukraine: 'UA',
  il: 'IL', israel: 'IL', india: 'IN', jp: 'JP', japan: 'JP', kr: 'KR', korea: 'KR', southkorea: 'KR',
  cn: 'CN', china: 'CN', hk: 'HK', hongkong: 'HK', tw: 'TW', taiwan: 'TW', sg: 'SG', singapore: 'SG',
  th: 'TH', thailand: 'TH', ph: 'PH', philippines: 'PH', indonesia: 'ID', malaysia: 'MY',
  vn: 'VN', vietnam: 'VN', za: 'ZA', southafrica: 'ZA', ng: 'NG', nigeria: 'NG', eg: 'EG', egypt: 'EG',
  arabia: 'SA', saudiarabia: 'SA', uae: 'AE', middleeast: null, mena: null,
};

const TRAILING_PARENS = /\s*\(([^()]*)\)\s*$/u;

/** The trailing region tag of a name: where it starts and what it folds to, or null. */
function trailingRegionTag(trimmed: string): { index: number; tag: string } | null {
  const m = TRAILING_PARENS.exec(trimmed);
  if (!m || m.index === 0) return null;
  const tag = foldText(m[1]).replace(/[.\s]/g, '');
  return Object.hasOwn(REGION_TAGS, tag) ? { index: m.index, tag } : null;
}

const tidy = (name: string): string => name.trim().replace(/\s+/g, ' ');

/** The show name without a trailing region tag: "The Office (U.S.)" → "The Office". */
export function displayShowName(name: string): string {
  const trimmed = tidy(name);
  const tag = trailingRegionTag(trimmed);
  return tag ? trimmed.slice(0, tag.index).trim() : trimmed;
}

/**
 * The country a trailing region tag names, as TMDB's `origin_country` spells it (ISO 3166-1
 * alpha-2): "The Office (U.S.)" → "US", "Big Brother (U.K.)" → "GB"; null without a tag or for a
 * tag naming no single country ("(LATAM)").
 */
export function regionOf(name: string): string | null {
  const tag = trailingRegionTag(tidy(name));
  return tag ? REGION_TAGS[tag.tag] : null;
}

/**
 * Key for comparing show names: folded, region tag dropped, "&" → "and",
 * punctuation removed, single spaces.
 */
export function showKey(name: string): string {
  const folded = foldText(displayShowName(name)).replace(/&/g, ' and ');
  return stripPunctuation(folded).replace(/\s+/g, ' ');
}

/**
 * The identity of a show row (`shows.name_key`): showKey, plus " [us]" when the Netflix title
 * carries a region tag, so "Big Brother (U.S.)" and "Big Brother (UK)" are two shows while
 * "The Office" keeps the key it always had. A suffix rather than a (name_key, region) unique key:
 * untagged keys, the existing unique index and ON CONFLICT (name_key) stay exactly as they were,
 * so untagged shows resolve as before. A tagged title seen by a session before and after the
 * upgrade becomes two rows in that session (the old untagged key, the new suffixed one). The
 * brackets cannot occur in a showKey (punctuation is removed), so a suffixed key never collides
 * with an untagged one. The region itself is stored beside it in `shows.region`.
 */
export function showIdentityKey(name: string): string {
  const region = regionOf(name);
  const key = showKey(name);
  return region ? `${key} [${region.toLowerCase()}]` : key;
}

/** Key for comparing person names: folded, punctuation removed, words sorted (DESIGN §2). */
export function personKey(name: string): string {
  return stripPunctuation(foldText(name))
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .sort()
    .join(' ');
}
