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
