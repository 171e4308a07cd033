// External ids Gandalf attaches to an activity (`subject: [{value, identifierType}]`, DESIGN §2): better
// match keys than titles. Pure: validates what Gandalf sent, never trusts its shape.

/** Gandalf's IdentifierType enum. */
export const IDENTIFIER_TYPES = ['ASIN', 'IGDB', 'IMDB', 'MOBY', 'PLAYSTATION', 'RAWG', 'TVDB', 'TVMAZE', 'YOUTUBE'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** Gandalf's own shape. */
export interface ExternalId {
  value: string;
  identifierType: IdentifierType;
}

/** Formats we can check; the other types only need a short non-blank value. */
const FORMATS: Partial<Record<IdentifierType, RegExp>> = {
  IMDB: /^tt\d{7,10}$/,
  TVDB: /^\d{1,10}$/,
  TVMAZE: /^\d{1,10}$/,
};
const MAX_VALUE_CHARS = 100;

/** Whether a value is a well-formed id of its type. */
export function isWellFormedId(type: IdentifierType, value: string): boolean {
  const format = FORMATS[type];
  return value.length > 0 && value.length <= MAX_VALUE_CHARS && (!format || format.test(value));
}

/**
 * An activity's `subject` list: its well-formed ids, and how many entries were ignored (not an
 * object, an unknown type, a value that is not a string or does not fit its type's format). A missing
 * or null `subject` is an activity without ids, not a malformed one.
 */
export function parseSubjects(raw: unknown): { ids: ExternalId[]; ignored: number } {
  if (raw === undefined || raw === null) return { ids: [], ignored: 0 };
  if (!Array.isArray(raw)) return { ids: [], ignored: 1 };
  const ids: ExternalId[] = [];
  let ignored = 0;
  for (const item of raw as unknown[]) {
    const { value, identifierType } = (typeof item === 'object' && item !== null ? item : {}) as { value?: unknown; identifierType?: unknown };
    const type = IDENTIFIER_TYPES.find((t) => t === identifierType);
    // Numbers for numeric ids are read as the string Gandalf meant (TVDB 81189).
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : '';
    if (!type || !isWellFormedId(type, text)) {
      ignored++;
      continue;
    }
    if (!ids.some((id) => id.identifierType === type)) ids.push({ value: text, identifierType: type });
  }
  return { ids, ignored };
}
