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

// Region tags Netflix appends to localised remakes, compared after
// folding and removing dots and spaces ("U.K." → "uk", "South Korea" → "southkorea").
// Two-letter codes that are also English words (in, no, it, at, my, be, id) are left out.
const REGIONS = new Set([
  'us', 'usa', 'america', 'american', 'uk', 'gb', 'britain', 'greatbritain', 'england', 'scotland', 'wales',
  'ireland', 'au', 'aus', 'australia', 'nz', 'newzealand', 'ca', 'canada', 'mx', 'mexico', 'br', 'brazil',
  'ar', 'argentina', 'colombia', 'chile', 'peru', 'venezuela', 'latam', 'latinamerica', 'es', 'spain',
  'fr', 'france', 'de', 'germany', 'italy', 'nl', 'netherlands', 'holland', 'belgium', 'se',
  'sweden', 'norway', 'dk', 'denmark', 'fi', 'finland', 'iceland', 'pl', 'poland', 'pt', 'portugal',
  'ch', 'switzerland', 'austria', 'gr', 'greece', 'tr', 'turkey', 'turkiye', 'ru', 'russia', 'ua',
  'ukraine', 'il', 'israel', 'india', 'jp', 'japan', 'kr', 'korea', 'southkorea', 'cn', 'china',
  'hk', 'hongkong', 'tw', 'taiwan', 'sg', 'singapore', 'th', 'thailand', 'ph', 'philippines',
  'indonesia', 'malaysia', 'vn', 'vietnam', 'za', 'southafrica', 'ng', 'nigeria', 'eg', 'egypt',
  'arabia', 'saudiarabia', 'uae', 'middleeast', 'mena', 'quebec', 'flanders',
]);

const TRAILING_PARENS = /\s*\(([^()]*)\)\s*$/u;

function isRegionTag(inner: string): boolean {
  return REGIONS.has(foldText(inner).replace(/[.\s]/g, ''));
}

/** The show name without a trailing region tag: "The Office (U.S.)" → "The Office". */
export function displayShowName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  const m = TRAILING_PARENS.exec(trimmed);
  if (m && m.index > 0 && isRegionTag(m[1])) return trimmed.slice(0, m.index).trim();
  return trimmed;
}

/**
 * Key for comparing show names: folded, region tag dropped, "&" → "and",
 * punctuation removed, single spaces.
 */
export function showKey(name: string): string {
  const folded = foldText(displayShowName(name)).replace(/&/g, ' and ');
  return stripPunctuation(folded).replace(/\s+/g, ' ');
}

/** Key for comparing person names: folded, punctuation removed, words sorted (DESIGN §2). */
export function personKey(name: string): string {
  return stripPunctuation(foldText(name))
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .sort()
    .join(' ');
}
