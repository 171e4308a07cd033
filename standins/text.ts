// Text helpers shared by the stand-ins (matching, slugs, HTML).

/** Strip diacritics: NFKD then drop combining marks. Also maps a few letters NFKD keeps (ø, ł, æ…). */
export function stripDiacritics(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øØ]/g, (c) => (c === 'ø' ? 'o' : 'O'))
    .replace(/[łŁ]/g, (c) => (c === 'ł' ? 'l' : 'L'))
    .replace(/æ/g, 'ae')
    .replace(/Æ/g, 'AE')
    .replace(/ß/g, 'ss');
}

/** Trailing region tag such as " (U.S.)" or " (UK)". */
const REGION_TAG_RE = /\s*\((?:U\.?S\.?A?\.?|U\.?K\.?|AU|CA|IN|MX|BR|JP|KR|FR|DE|ES|IT)\)\s*$/i;

function stripRegionTag(s: string): string {
  return s.replace(REGION_TAG_RE, '');
}

/**
 * Matching key: case-, diacritic-, punctuation- and region-tag-insensitive.
 * Apostrophes vanish ("Maggie's" = "Maggies"); other punctuation becomes a space ("Half-Moon" = "Half Moon").
 */
export function normalizeTitle(s: string): string {
  return stripDiacritics(stripRegionTag(s))
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export function slugify(s: string): string {
  return normalizeTitle(s).replace(/ /g, '_');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON for inside a <script> element: `<` escaped so no "</script>" (or "<!--") can end it early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
