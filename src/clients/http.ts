// A plain HTTP GET for the worker's hot paths, on node's own http and https: keep-alive sockets (the
// global agents), redirects followed, gzip, deflate and brotli bodies decoded. got and got-scraping
// cost about a millisecond of CPU per request in option merging, hooks and stream plumbing; at 10k
// that was a tenth of the worker's CPU (bench/RESULTS.md, the profile).
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** An answer, whatever its status. `url` is the one that answered (after redirects). */
export interface HttpAnswer {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** The longest one try may take, redirects included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Lenient TLS and header parsing, as a crawler sees the web (crawlee's defaults for RT). */
  lenient?: boolean;
}

/** As many as got follows before it gives up. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** The body as sent, decoded by its Content-Encoding (deflate comes with or without its zlib header). */
async function decode(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (body.length === 0 || !encoding) return body;
  switch (encoding.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(body);
    case 'deflate':
      return (body[0]! & 0x0f) === 8 ? inflate(body) : inflateRaw(body);
    case 'br':
      return brotli(body);
    default:
      return body;
  }
}

/** One request, its body read whole (still encoded); `onRequest` gets the request, so it can be destroyed. */
function once(url: URL, options: GetOptions, onRequest: (request: http.ClientRequest) => void): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.get(
      url,
      {
        headers: { 'accept-encoding': 'gzip, deflate, br', ...options.headers },
        ...(options.lenient ? { insecureHTTPParser: true, rejectUnauthorized: false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
        response.on('error', reject);
        // Closed before its end (the socket reset, or our abort): an error, never a short body.
        response.on('close', () => response.complete || reject(new Error('the response was cut short')));
      },
    );
    request.on('error', reject);
    onRequest(request);
  });
}

/** GETs `url`, following redirects; rejects on a network error, a timeout or the caller's abort, never on a status. */
export async function httpGet(url: string, options: GetOptions): Promise<HttpAnswer> {
  const { signal } = options;
  signal?.throwIfAborted();
  // No AbortController per request: the timer and the caller's abort destroy the request in flight.
  let current: http.ClientRequest | undefined;
  let stopped: Error | undefined;
  const stop = (error: Error) => {
    stopped ??= error;
    current?.destroy(stopped);
  };
  const timer = setTimeout(() => stop(new Error(`request timed out after ${options.timeoutMs / 1000} seconds`)), options.timeoutMs);
  const onAbort = () => stop(signal!.reason instanceof Error ? signal!.reason : new Error('the request was aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  let at = new URL(url);
  try {
    for (let redirects = 0; ; redirects++) {
      const answer = await once(at, options, (request) => {
        current = request;
        if (stopped) request.destroy(stopped);
      });
      const location = answer.headers.location;
      if (REDIRECTS.has(answer.status) && location) {
        if (redirects >= MAX_REDIRECTS) throw new Error(`Redirected ${MAX_REDIRECTS} times. Aborting.`);
        at = new URL(location, at);
        continue;
      }
      return { url: at.href, status: answer.status, headers: answer.headers, body: await decode(answer.body, answer.headers['content-encoding']) };
    }
  } catch (error) {
    throw stopped ?? error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
