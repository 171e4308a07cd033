// Wikidata Query Service stand-in at /sparql (DESIGN §2). It answers only the query shapes showprint
// sends, by TMDB id (P4983), by IMDb id (P345), or a UNION of the two,
//   SELECT ?tmdb ?rt WHERE { VALUES ?tmdb { "1399" … } ?item wdt:P4983 ?tmdb ; wdt:P1258 ?rt . }
//   SELECT ?imdb ?rt WHERE { VALUES ?imdb { "tt0944947" … } ?item wdt:P345 ?imdb ; wdt:P1258 ?rt . }
//   SELECT ?tmdb ?imdb ?rt WHERE { { VALUES ?tmdb {…} ?item wdt:P4983 … } UNION { VALUES ?imdb {…} ?item wdt:P345 … } }
// as GET ?query= or form-encoded POST query=, from rtFactsFor: an unmapped show has no binding, a stale
// or current one a binding per RT id (a row of the UNION binds only the key its half asked by). The stand-in runs no SPARQL: any other query gets a 400 naming
// the supported shape, where the real endpoint would run it (and answer 400 only for SPARQL it cannot
// parse).
//
// The answer is SPARQL 1.1 JSON results for format=json or an Accept header asking for JSON; otherwise
// SPARQL XML results (application/sparql-results+xml), the real WDQS's default, for the same bindings.
// The other formats the real service offers (CSV, TSV, …) are not served.
//
// It turns away:
// - generic user agents, with 403. Wikimedia's User-Agent policy asks for a descriptive agent with
//   contact details, and generic agents may be refused; the stand-in's fixed rule is its own
//   simplification of that policy, not what the real service checks: an agent is accepted when it is
//   not blank, its first product token is not an HTTP library's default (curl, got, node, undici,
//   python-requests, …), and it carries contact details: a URL (http:// or https://) or an e-mail
//   address.
// - a client's sixth parallel query, with 429 and Retry-After (a client = remote address + agent).
// Then the shared gate applies the rate limit (429 + Retry-After), latency and faults.
import express, { type Request, type Response } from 'express';
import { buildCatalog, imdbIdFor, type Catalog } from './catalog.js';
import type { Standin } from './http.js';
import { gateMiddleware, ServiceGate, type Limits } from './limits.js';
import { rtFactsFor } from './rtFacts.js';

export interface WikidataStandinOptions {
  limits?: Partial<Limits>;
  catalog?: Catalog;
  /** Parallel queries per client before a 429 (the real service allows 5). */
  maxConcurrentQueries?: number;
}

const SPARQL_JSON = 'application/sparql-results+json';
const SPARQL_XML = 'application/sparql-results+xml';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A SPARQL Query Results XML Format document (https://www.w3.org/TR/rdf-sparql-XMLres/) of plain literals. */
function sparqlXml(vars: readonly string[], rows: readonly Record<string, string>[]): string {
  const head = vars.map((v) => `    <variable name="${escapeXml(v)}"/>`).join('\n');
  const results = rows
    .map((row) => {
      const bindings = vars
        .filter((v) => row[v] !== undefined)
        .map((v) => `      <binding name="${escapeXml(v)}"><literal>${escapeXml(row[v])}</literal></binding>`)
        .join('\n');
      return `    <result>\n${bindings}\n    </result>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#">
  <head>
${head}
  </head>
  <results>${results ? `\n${results}\n  ` : ''}</results>
</sparql>
`;
}

/** First product tokens of HTTP libraries' and tools' default agents (lowercase). */
const GENERIC_AGENTS = new Set([
  'axios', 'curl', 'go-http-client', 'got', 'httpie', 'java', 'libwww-perl', 'node', 'node-fetch', 'okhttp', 'php',
  'python', 'python-httpx', 'python-requests', 'python-urllib', 'ruby', 'undici', 'wget',
]);

/** Null when the agent is acceptable, else why not. */
export function userAgentProblem(agent: string | undefined): string | null {
  const ua = (agent ?? '').trim();
  if (!ua) return 'no User-Agent';
  const product = ua.split(/[\s/(]/, 1)[0].toLowerCase();
  if (GENERIC_AGENTS.has(product)) return `a generic library User-Agent (${product})`;
  if (!/https?:\/\/\S|[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+/.test(ua)) return 'a User-Agent without contact details (a URL or an e-mail address)';
  return null;
}

const PREFIX = String.raw`^\s*(?:(?:PREFIX|prefix)\s+wdt:\s*<http:\/\/www\.wikidata\.org\/prop\/direct\/>\s*)?`;
/** One half: `VALUES ?<key> { … } ?item wdt:<property> ?<key> ; wdt:P1258 ?rt .` */
const half = (key: string, property: string) =>
  String.raw`(?:VALUES|values)\s+\?${key}\s*\{([^{}]*)\}\s*\?item\s+wdt:${property}\s+\?${key}\s*;\s*wdt:P1258\s+\?rt\s*\.?`;
const TMDB_HALF = half('tmdb', 'P4983');
const IMDB_HALF = half('imdb', 'P345');
const select = (vars: string) => String.raw`${PREFIX}(?:SELECT|select)\s+${vars}\s+(?:WHERE|where)\s*\{\s*`;
const BY_TMDB = new RegExp(String.raw`${select(String.raw`\?tmdb\s+\?rt`)}${TMDB_HALF}\s*\}\s*$`);
const BY_IMDB = new RegExp(String.raw`${select(String.raw`\?imdb\s+\?rt`)}${IMDB_HALF}\s*\}\s*$`);
const BY_BOTH = new RegExp(String.raw`${select(String.raw`\?tmdb\s+\?imdb\s+\?rt`)}\{\s*${TMDB_HALF}\s*\}\s*(?:UNION|union)\s*\{\s*${IMDB_HALF}\s*\}\s*\}\s*$`);

const SUPPORTED =
  'SELECT ?tmdb ?rt WHERE { VALUES ?tmdb { "<TMDB TV id>" … } ?item wdt:P4983 ?tmdb ; wdt:P1258 ?rt . }, the same by ?imdb and wdt:P345, or SELECT ?tmdb ?imdb ?rt WHERE { { …P4983… } UNION { …P345… } }';

/** The string literals of a VALUES block, each checked against `format`, or why not. */
function literals(block: string, key: string, format: RegExp, example: string): string[] | { error: string } {
  const out: string[] = [];
  for (const item of block.split(/\s+/).filter(Boolean)) {
    const v = /^"([^"]*)"$/.exec(item);
    if (!v || !format.test(v[1])) return { error: `VALUES ?${key} holds ${JSON.stringify(item.slice(0, 40))}; expected string literals such as "${example}"` };
    out.push(v[1]);
  }
  return out;
}

/** The TMDB and IMDb ids of a query of a supported shape, or why it is not one. */
function parseRtIdsQuery(query: string): { tmdb: number[]; imdb: string[]; vars: string[] } | { error: string } {
  const both = BY_BOTH.exec(query);
  const byTmdb = both ? null : BY_TMDB.exec(query);
  const byImdb = both || byTmdb ? null : BY_IMDB.exec(query);
  const tmdbBlock = both?.[1] ?? byTmdb?.[1];
  const imdbBlock = both?.[2] ?? byImdb?.[1];
  if (tmdbBlock === undefined && imdbBlock === undefined) return { error: `the Wikidata stand-in answers only ${SUPPORTED}` };
  const tmdb = literals(tmdbBlock ?? '', 'tmdb', /^\d{1,12}$/, '1399');
  if ('error' in tmdb) return tmdb;
  const imdb = literals(imdbBlock ?? '', 'imdb', /^tt\d{1,12}$/, 'tt0944947');
  if ('error' in imdb) return imdb;
  const vars = [...(tmdbBlock === undefined ? [] : ['tmdb']), ...(imdbBlock === undefined ? [] : ['imdb']), 'rt'];
  return { tmdb: tmdb.map(Number), imdb, vars };
}

const text = (res: Response, status: number, body: string): void => {
  res.status(status).type('text/plain; charset=utf-8').send(body);
};

export function createWikidataStandin(opts: WikidataStandinOptions = {}): Standin {
  const catalog = opts.catalog ?? buildCatalog();
  const maxConcurrent = opts.maxConcurrentQueries ?? 5;
  const gate = new ServiceGate('wikidata', opts.limits, 404);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // TMDB id → RT ids, for the shows Wikidata knows on both sides (a show absent from TMDB has no TMDB id);
  // IMDb id → RT ids likewise (every show has an IMDb id).
  const rtIdsByTmdb = new Map<number, string[]>();
  const rtIdsByImdb = new Map<string, string[]>();
  for (const show of catalog.shows) {
    const facts = rtFactsFor(show);
    if (!facts) continue;
    if (show.onTmdb && facts.wikidata.kind !== 'unmapped') rtIdsByTmdb.set(show.id, facts.wikidata.rtIds);
    if (facts.wikidataByImdb.kind !== 'unmapped') rtIdsByImdb.set(imdbIdFor(show), facts.wikidataByImdb.rtIds);
  }

  const clientKey = (req: Request): string => `${req.ip ?? ''} ${req.get('user-agent') ?? ''}`;
  const inFlight = new Map<string, number>();

  const router = express.Router();
  router.use((req, res, next) => {
    const problem = userAgentProblem(req.get('user-agent'));
    if (problem) {
      text(res, 403, `Forbidden: this request was sent with ${problem}. Identify your client with a descriptive User-Agent that includes contact details (Wikimedia User-Agent policy).`);
      return;
    }
    next();
  });
  router.use((req, res, next) => {
    const key = clientKey(req);
    const n = inFlight.get(key) ?? 0;
    if (n >= maxConcurrent) {
      gate.countThrottled();
      res.setHeader('Retry-After', '1');
      text(res, 429, `Too Many Requests: at most ${maxConcurrent} parallel queries per client. Please retry in 1 second.`);
      return;
    }
    inFlight.set(key, n + 1);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    };
    res.once('finish', finished);
    res.once('close', finished);
    next();
  });
  router.use(
    gateMiddleware(gate, clientKey, {
      throttled: (res, retryAfterSec) => text(res, 429, `Too Many Requests. Please retry in ${retryAfterSec} seconds.`),
      fault: (res, status) => text(res, status, status === 503 ? 'Service Temporarily Unavailable' : 'Internal Server Error: the query failed'),
    }),
  );
  router.use(express.urlencoded({ extended: false, limit: '1mb' }));

  const answer = (req: Request, res: Response, query: unknown, format: unknown): void => {
    const accept = req.get('accept') ?? '';
    const wantsJson = format === 'json' || (format === undefined && /application\/(sparql-results\+)?json/.test(accept));
    if (typeof query !== 'string' || !query.trim()) {
      text(res, 400, 'Bad Request: missing the query parameter');
      return;
    }
    const parsed = parseRtIdsQuery(query);
    if ('error' in parsed) {
      text(res, 400, `MalformedQueryException: ${parsed.error}`);
      return;
    }
    const rows: Record<string, string>[] = [
      ...parsed.tmdb.flatMap((id) => (rtIdsByTmdb.get(id) ?? []).map((rt) => ({ tmdb: String(id), rt }))),
      ...parsed.imdb.flatMap((id) => (rtIdsByImdb.get(id) ?? []).map((rt) => ({ imdb: id, rt }))),
    ];
    // send(), not json(): the gate's corruption fault truncates what send() writes.
    if (!wantsJson) {
      res.status(200).type(`${SPARQL_XML}; charset=utf-8`).send(sparqlXml(parsed.vars, rows));
      return;
    }
    const bindings = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, value]) => [k, { type: 'literal', value }])));
    res.status(200).type(`${SPARQL_JSON}; charset=utf-8`).send(JSON.stringify({ head: { vars: parsed.vars }, results: { bindings } }));
  };

  router.get('/', (req, res) => answer(req, res, req.query.query, req.query.format));
  router.post('/', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!req.is('application/x-www-form-urlencoded')) {
      text(res, 415, 'Unsupported Media Type: POST the query form-encoded (query=…)');
      return;
    }
    answer(req, res, body.query, body.format ?? req.query.format);
  });
  router.all('/', (_req, res) => text(res, 405, 'Method Not Allowed: use GET ?query= or POST query='));

  app.use('/sparql', router);
  app.use((_req, res) => text(res, 404, 'Not Found'));
  return { name: 'wikidata', app, gate, basePath: '/sparql' };
}
