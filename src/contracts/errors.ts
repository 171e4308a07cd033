// Error type names, one constant per failure each client can report. Activities throw them as the
// Temporal failure's type; permanent ones are non-retryable, so a wrong key or an unknown dataKey
// fails fast with its reason, and every retry policy lists them (built here, never by hand).

export const GandalfErrors = {
  recordNotFound: 'GandalfRecordNotFound',
  invalidSignature: 'GandalfInvalidSignature',
  protocolNotSupported: 'GandalfProtocolNotSupported',
  badRequest: 'GandalfBadRequest',
  unavailable: 'GandalfUnavailable',
  badResponse: 'GandalfBadResponse',
  serverError: 'GandalfServerError',
} as const;

export const TmdbErrors = {
  unauthorized: 'TmdbUnauthorized',
  badRequest: 'TmdbBadRequest',
  unavailable: 'TmdbUnavailable',
  badResponse: 'TmdbBadResponse',
} as const;

/** Wikidata's failures never leave the crawl (it falls back to slug guesses), but they are logged by type. */
export const WikidataErrors = {
  badInput: 'WikidataBadInput',
  forbidden: 'WikidataForbidden',
  badQuery: 'WikidataBadQuery',
  httpError: 'WikidataHttpError',
  unavailable: 'WikidataUnavailable',
  badResponse: 'WikidataBadResponse',
} as const;

/** Failures any service client can report. */
export const ServiceErrors = {
  circuitOpen: 'CircuitOpen',
  robotsUnavailable: 'RobotsUnavailable',
  /** `${service}NetworkError`: a request that never got an answer. */
  network: (service: string) => `${service}NetworkError`,
} as const;

/** The pipeline's own failures. */
export const PipelineErrors = {
  /** A stage name the pipeline table does not have. */
  unknownStage: 'UnknownStage',
  /** Some shows of a chunk failed transiently on an attempt that is not the last: retried later. */
  showsUnfinished: 'ShowsUnfinished',
  /** A session that failed for a reason a person can read (the failure's message). */
  sessionFailed: 'SessionFailed',
  /** A worker asked to forget a session without the Temporal client or session keyring it needs. */
  forgetNotConfigured: 'ForgetNotConfigured',
} as const;

/** Error types no retry can fix: every retry policy's nonRetryableErrorTypes. */
export const PERMANENT_ERROR_TYPES: readonly string[] = [
  GandalfErrors.recordNotFound,
  GandalfErrors.invalidSignature,
  GandalfErrors.protocolNotSupported,
  GandalfErrors.badRequest,
  TmdbErrors.unauthorized,
  TmdbErrors.badRequest,
  WikidataErrors.badInput,
  WikidataErrors.forbidden,
  WikidataErrors.badQuery,
  WikidataErrors.httpError,
];
