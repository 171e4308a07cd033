// The plain GET behind the RT crawl and the TMDB client (src/clients/http.ts): every status reaches
// the caller, redirects are followed, compressed bodies are decoded, and a slow or abandoned request
// fails with a reason instead of hanging.
import assert from 'node:assert/strict';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { httpGet } from '../../src/clients/http.js';

const PAGE = '<html><body>the page</body></html>';

async function server() {
  const srv = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/moved') return void res.writeHead(301, { location: '/tv/page?from=moved' }).end('gone');
    if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    if (url.pathname === '/slow') return void setTimeout(() => res.end(PAGE), 2_000).unref();
    if (url.pathname === '/throttled') return void res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '3' }).end('slow down');
    const encoding = url.searchParams.get('encoding');
    const body = encoding === 'gzip' ? gzipSync(PAGE) : encoding === 'deflate' ? deflateRawSync(PAGE) : encoding === 'br' ? brotliCompressSync(PAGE) : Buffer.from(PAGE);
    res.writeHead(200, { 'content-type': 'text/html', ...(encoding ? { 'content-encoding': encoding } : {}), 'x-agent': req.headers['user-agent'] ?? '' }).end(body);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, close: () => new Promise((resolve) => srv.close(resolve)) };
}

test('any status reaches the caller with its headers and body, and our headers are sent', async (t) => {
  const s = await server();
  t.after(() => s.close());
  const page = await httpGet(`${s.base}/tv/page`, { timeoutMs: 5_000, headers: { 'user-agent': 'showprint-test/1' } });
  assert.equal(page.status, 200);
  assert.equal(page.body.toString(), PAGE);
  assert.equal(page.headers['x-agent'], 'showprint-test/1');
  const refused = await httpGet(`${s.base}/throttled`, { timeoutMs: 5_000 });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers['retry-after'], '3');
  assert.equal(refused.body.toString(), 'slow down');
});

test('redirects are followed to the page that answers, and a redirect loop fails', async (t) => {
  const s = await server();
  t.after(() => s.close());
  const page = await httpGet(`${s.base}/moved`, { timeoutMs: 5_000 });
  assert.equal(page.status, 200);
  assert.equal(page.url, `${s.base}/tv/page?from=moved`);
  assert.equal(page.body.toString(), PAGE);
  await assert.rejects(httpGet(`${s.base}/loop`, { timeoutMs: 5_000 }), /Redirected 10 times/);
});

test('gzip, deflate and brotli bodies are decoded', async (t) => {
  const s = await server();
  t.after(() => s.close());
  for (const encoding of ['gzip', 'deflate', 'br']) {
    const page = await httpGet(`${s.base}/tv/page?encoding=${encoding}`, { timeoutMs: 5_000 });
    assert.equal(page.body.toString(), PAGE, encoding);
  }
});

test("a request past its time fails as timed out, and one the caller abandons fails with the caller's reason", async (t) => {
  const s = await server();
  t.after(() => s.close());
  await assert.rejects(httpGet(`${s.base}/slow`, { timeoutMs: 100 }), /request timed out after 0.1 seconds/);
  const abort = new AbortController();
  setTimeout(() => abort.abort(new Error('chunk cancelled')), 50);
  await assert.rejects(httpGet(`${s.base}/slow`, { timeoutMs: 5_000, signal: abort.signal }), /chunk cancelled/);
  await assert.rejects(httpGet(`${s.base}/tv/page`, { timeoutMs: 5_000, signal: abort.signal }), /chunk cancelled/);
});
