// The API_KEYS setting's format: operator keys and the scopes an entry may name. Config reads it
// (a bad entry is a configuration error at start-up); the API's key checks build on it.

/** What an operator key may do. Independent: an `admin`-only key cannot read reports. */
export const OPERATOR_SCOPES = ['read', 'write', 'admin'] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** One configured key: `API_KEYS` entries are `<key>` (every scope) or `<key>:<scope>+<scope>`. */
export interface OperatorKey {
  key: string;
  scopes: readonly OperatorScope[];
}

/** Why an `API_KEYS` entry is unusable, or undefined. Names the problem, never the key. */
export function apiKeyEntryProblem(entry: string): string | undefined {
  const colon = entry.lastIndexOf(':');
  const key = colon === -1 ? entry : entry.slice(0, colon);
  if (key.length < 16 || /\s/.test(key)) return 'must be a key of at least 16 characters without spaces';
  if (colon === -1) return undefined;
  const scopes = entry.slice(colon + 1).split('+');
  const unknown = scopes.filter((s) => !(OPERATOR_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || scopes.length === 0) return `has unknown scopes "${unknown.join('+')}" (known: ${OPERATOR_SCOPES.join(', ')}, joined with +)`;
  return undefined;
}

export function parseApiKeyEntry(entry: string): OperatorKey {
  const problem = apiKeyEntryProblem(entry);
  if (problem) throw new Error(`an API_KEYS entry ${problem}`);
  const colon = entry.lastIndexOf(':');
  if (colon === -1) return { key: entry, scopes: OPERATOR_SCOPES };
  return { key: entry.slice(0, colon), scopes: [...new Set(entry.slice(colon + 1).split('+') as OperatorScope[])] };
}
