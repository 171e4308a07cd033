// Gandalf's "Sauron" GraphQL API: signed POSTs, errors carried in errors[].extensions.code.
// Its Int64 scalars (total, limit, page) arrive as JSON numbers or numeric strings; both are read.
import got from 'got';
import { type ExternalId, parseSubjects } from '../../domain/identifiers.js';
import { responseSample } from '../../domain/text.js';
import { PermanentServiceError, TransientServiceError, isThrottleStatus, isTransientStatus, parseRetryAfter } from '../errors.js';
import { signRequestBody } from './signature.js';
import { DATA_SOURCE, GandalfErrors } from '../../contracts/index.js';

export interface GandalfActivity {
  id: string;
  title: string;
  date: string;
  /** The well-formed ids of its `subject` list (one per type). */
  identifiers: ExternalId[];
}

export interface GandalfPage {
  activities: GandalfActivity[];
  total: number;
  page: number;
  limit: number;
  /** Malformed `subject` entries on this page, left out of `identifiers`: counted, never fatal. */
  ignoredIdentifiers: number;
}

export interface GandalfClient {
  getActivityPage(dataKey: string, page: number, limit: number, signal?: AbortSignal): Promise<GandalfPage>;
}

const GET_ACTIVITY = `query getActivity($dataKey: String!, $source: Source!, $limit: Int64!, $page: Int64!) {
  getActivity(dataKey: $dataKey, source: $source, limit: $limit, page: $page) {
    data { id metadata { ... on NetflixActivityMetadata { title date subject { value identifierType } } } }
    limit total page
  }
}`;

const PERMANENT_CODES: Record<string, { type: string; explain: string }> = {
  RECORD_NOT_FOUND: { type: GandalfErrors.recordNotFound, explain: 'Gandalf has no data for this dataKey (unknown or expired); reconnect the account' },
  INVALID_SIGNATURE: { type: GandalfErrors.invalidSignature, explain: 'Gandalf rejected our request signature; check GANDALF_PRIVATE_KEY' },
  PROTOCOL_NOT_SUPPORTED: { type: GandalfErrors.protocolNotSupported, explain: 'Gandalf does not support this data source' },
  BAD_USER_INPUT: { type: GandalfErrors.badRequest, explain: 'Gandalf rejected the request arguments' },
  GRAPHQL_VALIDATION_FAILED: { type: GandalfErrors.badRequest, explain: 'Gandalf rejected the query' },
};

export function createGandalfClient(opts: { url: string; privateKeyHex: string; timeoutMs: number }): GandalfClient {
  return {
    async getActivityPage(dataKey, page, limit, signal) {
      const body = JSON.stringify({ query: GET_ACTIVITY, variables: { dataKey, source: DATA_SOURCE, limit, page }, operationName: 'getActivity' });
      const response = await got
        .post(opts.url, {
          body,
          headers: { 'content-type': 'application/json', 'X-Gandalf-Signature': signRequestBody(body, opts.privateKeyHex) },
          throwHttpErrors: false,
          retry: { limit: 0 },
          timeout: { request: opts.timeoutMs },
          signal,
        })
        .catch((error: Error) => {
          throw new TransientServiceError(GandalfErrors.unavailable, `Gandalf did not answer: ${error.message}`);
        });
      const status = response.statusCode;
      if (isTransientStatus(status)) {
        throw new TransientServiceError(GandalfErrors.unavailable, `Gandalf answered HTTP ${status}`, parseRetryAfter(response.headers['retry-after']), isThrottleStatus(status));
      }
      let payload: { data?: { getActivity?: unknown }; errors?: { message?: string; extensions?: { code?: string } }[] };
      try {
        payload = JSON.parse(response.body);
      } catch {
        throw new TransientServiceError(GandalfErrors.badResponse, `Gandalf answered HTTP ${status} with a body that is not JSON`);
      }
      const firstError = payload.errors?.[0];
      if (firstError) {
        const code = firstError.extensions?.code ?? 'UNKNOWN';
        // Failure messages end up in Temporal history and the API: never let the dataKey ride along.
        firstError.message = (firstError.message ?? '').split(dataKey).join('[dataKey]');
        const permanent = PERMANENT_CODES[code];
        if (permanent) throw new PermanentServiceError(permanent.type, `${permanent.explain} (${code}: ${firstError.message ?? ''})`);
        throw new TransientServiceError(GandalfErrors.serverError, `Gandalf error ${code}: ${firstError.message ?? ''}`);
      }
      if (status >= 400) throw new PermanentServiceError(GandalfErrors.badRequest, `Gandalf answered HTTP ${status}`);
      return parseActivityResponse(payload.data?.getActivity, dataKey);
    },
  };
}

/**
 * Gandalf's `Int64` scalar: its own Go SDK decodes a JSON number or a numeric string, so we accept
 * both ("1234" = 1234). A fraction, an empty or non-numeric string, or a value beyond 2^53 is not an
 * Int64 we can use.
 */
function readInt64(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

function badResponse(what: string, raw: unknown, dataKey: string): TransientServiceError {
  let text = JSON.stringify(raw) ?? String(raw);
  // Redacted before the cut, so not even a prefix of the dataKey reaches the message.
  if (dataKey) text = text.split(dataKey).join('[dataKey]');
  return new TransientServiceError(GandalfErrors.badResponse, `Gandalf answered ${what}; sample: ${responseSample(text)}`);
}

/** Checks the response shape so a corrupted answer becomes a classified error, not bad rows. */
function parseActivityResponse(raw: unknown, dataKey = ''): GandalfPage {
  const r = raw as { data?: unknown; total?: unknown; page?: unknown; limit?: unknown } | null | undefined;
  if (!r || typeof r !== 'object' || !Array.isArray(r.data)) throw badResponse('without a getActivity.data list', raw, dataKey);
  // The sample shows the scalars, not a page of activities.
  const head = { ...r, data: `[${r.data.length} activities]` };
  const ints = { total: 0, page: 0, limit: 0 };
  for (const field of ['total', 'limit', 'page'] as const) {
    const n = readInt64(r[field]);
    if (n === null || n < 0) throw badResponse(`a getActivity.${field} that is not an Int64 (number or numeric string)`, head, dataKey);
    ints[field] = n;
  }
  const activities: GandalfActivity[] = [];
  let ignoredIdentifiers = 0;
  for (const item of r.data as { id?: unknown; metadata?: { title?: unknown; date?: unknown; subject?: unknown } }[]) {
    if (typeof item?.id !== 'string' || typeof item.metadata?.title !== 'string') continue; // not a Netflix activity
    const subjects = parseSubjects(item.metadata.subject);
    ignoredIdentifiers += subjects.ignored;
    activities.push({
      id: item.id,
      title: item.metadata.title,
      date: typeof item.metadata.date === 'string' ? item.metadata.date : '',
      identifiers: subjects.ids,
    });
  }
  return { activities, ...ints, ignoredIdentifiers };
}
