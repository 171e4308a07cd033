// Per-service behaviour knobs (latency, rate limits, faults) and the stats a benchmark reads back.
import type { NextFunction, Request, Response } from 'express';
import { mulberry32, type Rng } from './random.js';

export type ServiceName = 'gandalf' | 'tmdb' | 'rt' | 'openai' | 'wikidata';
export const SERVICE_NAMES: readonly ServiceName[] = ['gandalf', 'tmdb', 'rt', 'openai', 'wikidata'];

export interface Limits {
  /** Base added latency per response. */
  latencyMs: number;
  /** Uniform extra latency in [0, jitterMs). */
  jitterMs: number;
  /** Token refill rate per client; 0 or Infinity disables rate limiting. */
  rps: number;
  /** Bucket capacity per client. */
  burst: number;
  /**
   * 0..1: share of admitted requests answered with a 500/502: real failures. (A 503 means "slow
   * down", a pace rather than a failure (DESIGN §2 "Throttling"): `refusal` and `outage` send those.)
   */
  faultRate: number;
  /** 0..1: share of admitted requests that take slowMs extra. */
  slowRate?: number;
  slowMs?: number;
  /** 0..1: share of admitted requests answered 200 with a corrupted body (truncated, or bad GraphQL). */
  corruptRate?: number;
  /** How a refusal for pace is answered: its status (default 429), body and Retry-After, like a CDN in front of the service. */
  refusal?: RefusalStyle;
  /** An outage: from the `afterRequests`-th request on, every request is refused (503 by default) for `durationMs`. */
  outage?: { afterRequests: number; durationMs: number; status?: 429 | 503 };
}

/**
 * A refusal's shape. `body`: the service's own error body (`native`, the default), or what a CDN in
 * front of it sends: `html`, `text` (text/plain), `json`, or `empty`. `retryAfter: false` drops the header.
 */
export interface RefusalStyle {
  status?: 429 | 503;
  body?: 'native' | 'html' | 'text' | 'json' | 'empty';
  retryAfter?: boolean;
}

export const DEFAULT_LIMITS: Record<ServiceName, Limits> = {
  gandalf: { latencyMs: 80, jitterMs: 20, rps: 20, burst: 20, faultRate: 0, slowRate: 0, slowMs: 2000 },
  tmdb: { latencyMs: 30, jitterMs: 10, rps: 50, burst: 50, faultRate: 0, slowRate: 0, slowMs: 2000 },
  rt: { latencyMs: 60, jitterMs: 20, rps: 20, burst: 20, faultRate: 0, slowRate: 0, slowMs: 3000 },
  openai: { latencyMs: 300, jitterMs: 100, rps: 10, burst: 10, faultRate: 0, slowRate: 0, slowMs: 5000 },
  wikidata: { latencyMs: 150, jitterMs: 50, rps: 5, burst: 5, faultRate: 0, slowRate: 0, slowMs: 5000 },
};

/** Merge partial limits over a service's defaults; burst follows rps when only rps is given. */
function resolveLimits(service: ServiceName, partial?: Partial<Limits>, base: Limits = DEFAULT_LIMITS[service]): Limits {
  const merged: Limits = { ...base, ...stripUndefined(partial ?? {}) };
  if (partial?.rps !== undefined && partial.burst === undefined && base.burst === base.rps) merged.burst = partial.rps;
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface ServiceStats {
  /** Every request received, including throttled ones. */
  requests: number;
  /** Requests refused for pace by the token bucket (429, or the configured refusal status). */
  rateLimited: number;
  /** Requests refused by an outage (`limits.outage`). */
  unavailable: number;
  /** Injected 5xx (and Gandalf's INTERNAL_SERVER_ERROR) faults. */
  faults: number;
  /** Admitted requests delayed by slowMs. */
  slow: number;
  /** Requests answered with a corrupted body. */
  corrupted: number;
  /** Requests admitted past the rate limiter (requests - rateLimited). */
  admitted: number;
  inFlight: number;
  maxInFlight: number;
  /** Start time (ms since epoch, sub-ms precision) of every request, capped at MAX_TIMESTAMPS. */
  requestStarts: number[];
  /** Start time of admitted requests only (what the limiter let through), same cap. */
  admittedStarts: number[];
}

const MAX_TIMESTAMPS = 1_000_000;

const nowMs = (): number => performance.timeOrigin + performance.now();

class TokenBucket {
  tokens: number;
  updated: number;
  constructor(capacity: number, at: number) {
    this.tokens = capacity;
    this.updated = at;
  }
}

export type Admission =
  | { kind: 'throttled'; status: 429 | 503; retryAfterSec?: number; body: NonNullable<RefusalStyle['body']> }
  | { kind: 'fault'; status: 500 | 502 }
  | { kind: 'ok'; corrupt?: boolean };

/** One per service: limits, per-client token buckets, fault dice, stats. */
export class ServiceGate {
  private current: Limits;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly rng: Rng;
  private s: ServiceStats = ServiceGate.emptyStats();
  /** When the configured outage began (performance clock), once it has. */
  private outageStartedAt: number | undefined;

  constructor(readonly service: ServiceName, limits?: Partial<Limits>, seed = 7) {
    this.current = resolveLimits(service, limits);
    this.rng = mulberry32(seed);
  }

  private static emptyStats(): ServiceStats {
    return { requests: 0, rateLimited: 0, unavailable: 0, faults: 0, slow: 0, corrupted: 0, admitted: 0, inFlight: 0, maxInFlight: 0, requestStarts: [], admittedStarts: [] };
  }

  get limits(): Limits {
    return { ...this.current };
  }

  setLimits(partial: Partial<Limits>): void {
    if ('outage' in partial) this.outageStartedAt = undefined;
    this.current = resolveLimits(this.service, partial, this.current);
  }

  /** Whether the configured outage holds at `at` (it starts at its `afterRequests`-th request). */
  private inOutage(at: number): boolean {
    const outage = this.current.outage;
    if (!outage || this.s.requests < outage.afterRequests) return false;
    this.outageStartedAt ??= at;
    return at - this.outageStartedAt < outage.durationMs;
  }

  private refusal(status: 429 | 503, retryAfterSec: number): Admission {
    const style = this.current.refusal ?? {};
    return { kind: 'throttled', status, retryAfterSec: style.retryAfter === false ? undefined : retryAfterSec, body: style.body ?? 'native' };
  }

  stats(): ServiceStats {
    return { ...this.s, requestStarts: this.s.requestStarts.slice(), admittedStarts: this.s.admittedStarts.slice() };
  }

  resetStats(): void {
    const inFlight = this.s.inFlight;
    this.s = ServiceGate.emptyStats();
    this.s.inFlight = inFlight;
  }

  /** A random number from the gate's seeded stream (used for service-specific dice). */
  random(): number {
    return this.rng();
  }

  /** Take a token for `clientKey`; null when admitted, else seconds to wait. */
  private take(clientKey: string, at: number): number | null {
    const { rps, burst } = this.current;
    if (!(rps > 0) || !Number.isFinite(rps)) return null;
    const capacity = Math.max(1, burst);
    let b = this.buckets.get(clientKey);
    if (!b) {
      b = new TokenBucket(capacity, at);
      this.buckets.set(clientKey, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((at - b.updated) / 1000) * rps);
    b.updated = at;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rps));
  }

  /**
   * Record the request, apply the rate limit, then (for admitted requests) sleep the configured
   * latency and roll the fault dice. Throttled requests answer at once, like real APIs do.
   */
  async admit(clientKey: string): Promise<Admission> {
    const at = nowMs();
    const s = this.s;
    s.requests++;
    if (s.requestStarts.length < MAX_TIMESTAMPS) s.requestStarts.push(at);
    if (this.inOutage(at)) {
      s.unavailable++;
      return this.refusal(this.current.outage?.status ?? 503, 1);
    }
    const wait = this.take(clientKey, at);
    if (wait !== null) {
      s.rateLimited++;
      return this.refusal(this.current.refusal?.status ?? 429, wait);
    }
    s.admitted++;
    if (s.admittedStarts.length < MAX_TIMESTAMPS) s.admittedStarts.push(at);
    const l = this.current;
    let delay = l.latencyMs + (l.jitterMs > 0 ? this.rng() * l.jitterMs : 0);
    if ((l.slowRate ?? 0) > 0 && this.rng() < (l.slowRate ?? 0)) {
      delay += l.slowMs ?? 0;
      s.slow++;
    }
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    try {
      if (delay > 0) await sleep(delay);
    } finally {
      s.inFlight--;
    }
    if (l.faultRate > 0 && this.rng() < l.faultRate) {
      s.faults++;
      return { kind: 'fault', status: this.rng() < 0.5 ? 500 : 502 };
    }
    // Rolled only when set, so seeded runs without corruption see the same random stream as before.
    if ((l.corruptRate ?? 0) > 0 && this.rng() < (l.corruptRate ?? 0)) {
      s.corrupted++;
      return { kind: 'ok', corrupt: true };
    }
    return { kind: 'ok' };
  }

  /** Count a fault decided by the service itself (e.g. a GraphQL INTERNAL_SERVER_ERROR). */
  countFault(): void {
    this.s.faults++;
  }

  /** Count a request the service throttled itself, before the gate (e.g. Wikidata's cap on parallel queries). */
  countThrottled(): void {
    const s = this.s;
    s.requests++;
    s.rateLimited++;
    if (s.requestStarts.length < MAX_TIMESTAMPS) s.requestStarts.push(nowMs());
  }
}

/**
 * Makes the response's next body a truncated copy: a complete HTTP message (right Content-Length,
 * status 200) carrying half a document, the corruption a client can only catch by reading it.
 */
export function truncateNextBody(res: Response, keep = 0.5): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string') return send(body.slice(0, Math.floor(body.length * keep)));
    if (Buffer.isBuffer(body)) return send(body.subarray(0, Math.floor(body.length * keep)));
    return send(body);
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The service's own answers to a refusal for pace (429), a fault (500, 502) and an outage (503). */
export interface NativeRefusals {
  throttled: (res: Response, retryAfterSec: number) => void;
  fault: (res: Response, status: 500 | 502 | 503) => void;
}

const REFUSAL_TEXT = { 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;

/** Answers a refusal in its configured shape: the service's own body, or a CDN's (HTML, text/plain, JSON, empty). */
export function answerRefusal(res: Response, refusal: Extract<Admission, { kind: 'throttled' }>, native: NativeRefusals): void {
  const { status, retryAfterSec, body } = refusal;
  if (retryAfterSec !== undefined) res.setHeader('Retry-After', String(retryAfterSec));
  const text = REFUSAL_TEXT[status];
  if (body === 'native') {
    if (status === 429) native.throttled(res, retryAfterSec ?? 1);
    else native.fault(res, 503);
  } else if (body === 'text') res.status(status).type('text/plain').send(`${text}\n`);
  else if (body === 'json') res.status(status).json({ error: text, status });
  else if (body === 'html') res.status(status).type('text/html').send(`<!DOCTYPE html><html><head><title>${status} ${text}</title></head><body><h1>${text}</h1></body></html>\n`);
  else res.status(status).end();
}

/**
 * Express middleware: gate every request by `clientKey(req)`; throttled and faulted requests get
 * the service's own error bodies.
 */
export function gateMiddleware(
  gate: ServiceGate,
  clientKey: (req: Request) => string,
  respond: NativeRefusals,
) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const admission = await gate.admit(clientKey(req));
    if (admission.kind === 'throttled') {
      answerRefusal(res, admission, respond);
      return;
    }
    if (admission.kind === 'fault') {
      respond.fault(res, admission.status);
      return;
    }
    if (admission.corrupt) truncateNextBody(res);
    next();
  };
}
