// Text helpers for error messages, shared by the pure domain (RT page samples) and the service
// clients (response samples). It lives in the domain layer because the dependency runs one way:
// clients already import the domain (tmdbMatch, ai), while the domain imports nothing outside itself
// and does no I/O; putting the helper under src/clients would make the pure domain depend on them.

/**
 * A one-line excerpt of `text` for an error message: runs of whitespace become one space, the ends
 * are trimmed, and anything past `maxChars` is cut, the last kept character replaced by "…" (the
 * excerpt is never longer than `maxChars`).
 */
export function responseSample(text: string, maxChars = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, Math.max(0, maxChars - 1))}…` : flat;
}

/** FNV-1a, 32 bits, over UTF-16 code units: a cheap, stable hash for picking deterministically. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
