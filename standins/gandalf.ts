// Gandalf "Sauron" GraphQL stand-in: POST /public/gql, signed bodies, getActivity paging.
import express, { type Request, type Response } from 'express';
import { verifyRequestBody } from '../src/clients/gandalf/signature.js';
import { buildCatalog, subjectsFor, type Catalog } from './catalog.js';
import { historyFor } from './histories.js';
import type { Standin } from './http.js';
import { ServiceGate, answerRefusal, truncateNextBody, type Limits } from './limits.js';

export interface GandalfStandinOptions {
  /** The app's public key(s), hex (uncompressed or compressed point). */
  publicKeyHex: string | string[];
  limits?: Partial<Limits>;
  catalog?: Catalog;
  /**
   * Send getActivity's Int64 fields (total, limit, page) as JSON strings ("1234"), as a GraphQL
   * server may serialise a 64-bit scalar; clients must read both forms. Default: the
   * STANDIN_GANDALF_INT64_STRINGS environment variable ("1" = strings), else numbers.
   */
  int64AsStrings?: boolean;
}

const SOURCES = new Set(['AMAZON', 'NETFLIX', 'PLAYSTATION', 'YOUTUBE']);
const MAX_LIMIT = 300;

interface GqlError { message: string; path?: string[]; extensions: { code: string } }

function gqlError(res: Response, code: string, message: string, path?: string[]): void {
  const error: GqlError = { message, extensions: { code } };
  if (path) error.path = path;
  // Like a GraphQL server: HTTP 200, errors in the body; field errors null their field.
  res.status(200).json(path ? { errors: [error], data: { [path[0]]: null } } : { errors: [error], data: null });
}

type ArgValue = string | number | boolean | null | undefined;

/**
 * Read getActivity's arguments: `$variables` from `variables`, literals inline.
 * Enough for real clients; not a GraphQL parser.
 */
function readArguments(query: string, variables: Record<string, unknown>): { field: string; args: Record<string, ArgValue> } | null {
  // The field call, not an operation named getActivity: its arguments never declare `$var: Type`.
  const m = [...query.matchAll(/(?:\b(\w+)\s*:\s*)?\bgetActivity\s*\(([^)]*)\)/g)].find((c) => !/\$\w+\s*:/.test(c[2]));
  if (!m) return null;
  const field = m[1] ?? 'getActivity'; // honour an alias like `history: getActivity(...)`
  const args: Record<string, ArgValue> = {};
  const re = /(\w+)\s*:\s*(\$\w+|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null|[A-Z_][A-Z0-9_]*)/g;
  for (let a = re.exec(m[2]); a; a = re.exec(m[2])) {
    const [, name, raw] = a;
    if (raw.startsWith('$')) {
      const v = variables[raw.slice(1)];
      args[name] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
    } else if (raw.startsWith('"')) args[name] = JSON.parse(raw) as string;
    else if (raw === 'true' || raw === 'false') args[name] = raw === 'true';
    else if (raw === 'null') args[name] = null;
    else if (/^-?\d/.test(raw)) args[name] = Number(raw);
    else args[name] = raw; // enum literal
  }
  return { field, args };
}

/** Int64 may arrive as a number or a numeric string. */
function toInt(v: ArgValue): number | null {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return null;
}

export function createGandalfStandin(opts: GandalfStandinOptions): Standin {
  const catalog = opts.catalog ?? buildCatalog();
  const publicKeys = Array.isArray(opts.publicKeyHex) ? opts.publicKeyHex : [opts.publicKeyHex];
  const gate = new ServiceGate('gandalf', opts.limits, 101);
  const int64AsStrings = opts.int64AsStrings ?? process.env.STANDIN_GANDALF_INT64_STRINGS === '1';
  const int64 = (n: number): number | string => (int64AsStrings ? String(n) : n);
  const app = express();
  app.disable('x-powered-by');

  // Raw bytes: the signature covers the exact body.
  app.post('/public/gql', express.raw({ type: () => true, limit: '1mb' }), async (req: Request, res: Response) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.get('x-gandalf-signature') ?? '';
    const signer = signature ? publicKeys.find((k) => verifyRequestBody(body, signature, k)) : undefined;

    // Rate limit per app key; unsigned traffic shares one anonymous bucket.
    const admission = await gate.admit(signer ?? 'anonymous');
    if (admission.kind === 'throttled') {
      answerRefusal(res, admission, {
        throttled: (r) => r.status(429).json({ errors: [{ message: 'Too many requests', extensions: { code: 'TOO_MANY_REQUESTS' } }] }),
        fault: (r, status) => r.status(status).type('text/plain').send('Service Unavailable'),
      });
      return;
    }
    if (admission.kind === 'fault') {
      // Half the faults look like a resolver failure, half like a broken gateway.
      if (gate.random() < 0.5) gqlError(res, 'INTERNAL_SERVER_ERROR', 'internal server error');
      else res.status(502).type('text/plain').send('Bad Gateway');
      return;
    }
    if (admission.corrupt) {
      // Half the corrupted answers are cut short; half are JSON the schema does not allow.
      if (gate.random() < 0.5) truncateNextBody(res);
      else {
        res.json({ data: { getActivity: { data: null, limit: null, total: null, page: null } } });
        return;
      }
    }

    let parsed: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    } catch {
      res.status(400).json({ errors: [{ message: 'POST body must be a JSON object', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    if (!signature || !signer) {
      gqlError(res, 'INVALID_SIGNATURE', signature ? 'invalid signature' : 'missing X-Gandalf-Signature header');
      return;
    }
    const query = typeof parsed.query === 'string' ? parsed.query : '';
    if (!query.trim()) {
      gqlError(res, 'GRAPHQL_PARSE_FAILED', 'GraphQL operations must contain a non-empty `query`');
      return;
    }
    const variables = typeof parsed.variables === 'object' && parsed.variables !== null ? (parsed.variables as Record<string, unknown>) : {};
    const op = readArguments(query, variables);
    if (!op) {
      gqlError(res, 'GRAPHQL_VALIDATION_FAILED', 'this stand-in only implements the getActivity query');
      return;
    }
    const { field, args } = op;

    const dataKey = args.dataKey;
    const source = args.source;
    const limit = toInt(args.limit);
    const page = toInt(args.page);
    for (const [name, value] of [['dataKey', dataKey], ['source', source], ['limit', args.limit], ['page', args.page]] as const) {
      if (value === undefined || value === null) {
        gqlError(res, 'GRAPHQL_VALIDATION_FAILED', `Field "getActivity" argument "${name}" is required, but it was not provided.`);
        return;
      }
    }
    if (typeof dataKey !== 'string') {
      gqlError(res, 'GRAPHQL_VALIDATION_FAILED', 'Variable "dataKey" of type "String!" must be a string.');
      return;
    }
    if (typeof source !== 'string' || !SOURCES.has(source)) {
      gqlError(res, 'GRAPHQL_VALIDATION_FAILED', `Value "${String(source)}" does not exist in "Source" enum.`);
      return;
    }
    if (limit === null || page === null) {
      gqlError(res, 'GRAPHQL_VALIDATION_FAILED', 'limit and page must be Int64 values');
      return;
    }
    if (limit > MAX_LIMIT) {
      gqlError(res, 'BAD_USER_INPUT', `limit must be ≤ ${MAX_LIMIT}`, [field]);
      return;
    }
    if (limit < 1) {
      gqlError(res, 'BAD_USER_INPUT', 'limit must be ≥ 1', [field]);
      return;
    }
    if (page < 1) {
      gqlError(res, 'BAD_USER_INPUT', 'page must be ≥ 1', [field]);
      return;
    }

    const history = historyFor(dataKey, catalog);
    if (!history) {
      gqlError(res, 'RECORD_NOT_FOUND', 'record not found: unknown or expired dataKey', [field]);
      return;
    }
    if (source !== 'NETFLIX') {
      res.json({ data: { [field]: { data: [], limit: int64(limit), total: int64(0), page: int64(page) } } });
      return;
    }
    const slice = history.slice((page - 1) * limit, page * limit);
    const data = slice.map((a) => {
      const show = a.showId !== undefined ? catalog.showById.get(a.showId) : undefined;
      return {
        id: a.id,
        metadata: {
          __typename: 'NetflixActivityMetadata',
          title: a.title,
          date: a.date,
          subject: show ? subjectsFor(show) : [],
        },
      };
    });
    res.json({ data: { [field]: { data, limit: int64(limit), total: int64(history.length), page: int64(page) } } });
  });

  // GraphQL servers answer other methods on the endpoint with 405.
  app.all('/public/gql', (_req, res) => {
    res.status(405).setHeader('Allow', 'POST').json({ errors: [{ message: 'Method not allowed', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
  });

  return { name: 'gandalf', app, gate, basePath: '/public/gql' };
}
