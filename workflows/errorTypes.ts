// Error types no retry can fix. Activities throw them as non-retryable; the workflows list them in
// every retry policy, so a wrong key or an unknown dataKey fails fast with its reason.
export const PERMANENT_ERROR_TYPES = [
  'GandalfRecordNotFound',
  'GandalfInvalidSignature',
  'GandalfProtocolNotSupported',
  'GandalfBadRequest',
  'TmdbUnauthorized',
  'TmdbBadRequest',
  'ConfigError',
] as const;
