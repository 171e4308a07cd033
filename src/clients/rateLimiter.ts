// A rate limiter shared by every worker process: each external service has one row holding the
// earliest time the next request may start (GCRA). Reserving a slot is one atomic UPDATE that uses
// the database clock, so many workers on many hosts together stay under the service's limit.
//
// The spacing follows an adaptive rate kept in the same row (AIMD): a 429 cuts it for everyone,
// successes raise it back by a fixed share of the configured rate per second, and the configured
// rate stays the ceiling. A service that lowers its limit is followed without an operator.
//
// Callers of one process that ask for the same service together share one UPDATE (a group commit):
// it reserves a block of consecutive slots, handed out in order. Under load that is one statement
// per burst of requests instead of one per request, and one lock on the hot row instead of many.
//
// Fair admission: a process reserves only about HORIZON_MS of slots ahead, and fills each block
// round-robin over the callers' fairness keys (a viewer's session). A small session's requests then
// wait behind one turn of everyone else's, not behind every request a large session has queued.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

export type ServiceName = 'gandalf' | 'tmdb' | 'rt' | 'openai' | 'wikidata';

export interface RateLimiter {
  /** Waits until this caller may send one request to `service`. */
  acquire(service: ServiceName, signal?: AbortSignal): Promise<void>;
  /** The service said "slow down": nobody sends before `delayMs` from now. */
  pushBack(service: ServiceName, delayMs: number): Promise<void>;
  /** The service answered 429 (or asked for a pause): cut the shared rate, and pushBack by `retryAfterMs` if given. */
  onThrottled(service: ServiceName, retryAfterMs?: number): Promise<void>;
  /** The service answered without throttling: credit towards raising the shared rate. Never throws. */
  onSuccess(service: ServiceName): Promise<void>;
}

export const AIMD = {
  /**
   * ×0.7 on overload, CUBIC's factor (RFC 9438) rather than TCP Reno's ×0.5: a halved limit takes two
   * cuts (40 → 28 → 19.6), but the sawtooth afterwards dips to 70% of its peak instead of 50%, which
   * keeps throughput at the limit (the stand-in test: 20.0/s against 19.3/s with ×0.5, 429s under 1%).
   */
  decreaseFactor: 0.7,
  /** 429s within this long of a cut are the same overload (the requests already in flight): one cut. */
  decreaseWindowMs: 1000,
  /** Never below 5% of the configured rate; Retry-After still holds everyone back when that is too fast. */
  floorShare: 0.05,
  /** +5% of the configured rate per second of successes: a halving is climbed back in 10 s at any rate. */
  increaseShare: 0.05,
  /** Success credits are added to the row at most this often per process: a few writes a second at most. */
  flushEveryMs: 300,
};

/** The rate after a 429 cuts `current` (capped by the configured `max`). */
export function decreasedRate(current: number, max: number): number {
  return Math.max(max * AIMD.floorShare, Math.min(current, max) * AIMD.decreaseFactor);
}

/**
 * One success's share of the increase: at `current` requests a second, a second of successes adds
 * increaseShare × max, whether one worker sends them or ten (the credit is per request, not per worker).
 */
export function successCredit(current: number, max: number): number {
  return current >= max ? 0 : (max * AIMD.increaseShare) / current;
}

export function increasedRate(current: number, credit: number, max: number): number {
  return Math.min(max, current + credit);
}

interface ServiceState {
  /** The shared rate as last seen by this process. */
  rate: number;
  /** Credits not yet added to the row. */
  credit: number;
  flushedAt: number;
  /** When this process last saw a 429 (Date.now()), and the write recording it. */
  throttledAt: number;
  throttling?: Promise<unknown>;
  /** Callers waiting for a slot, a queue per fairness key, in turn order; `reserving` while one is in flight. */
  waiting: Map<string, Waiter[]>;
  reserving: boolean;
  /** No new block before this (Date.now()): the last block's slots are not yet within the horizon. */
  holdUntil: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (error: unknown) => void;
  /** Stops listening for the caller's abort once it has a slot. */
  settled: () => void;
}

/** How far ahead a process reserves slots: long enough to keep the service busy, short enough to stay fair. */
const HORIZON_MS = 100;
/** The longest a block waits for the last one (a Retry-After can put slots seconds ahead). */
const MAX_HOLD_MS = 1_000;
/** The key of callers that carry none (outside an activity, or an activity without a fairness key). */
const NO_KEY = '';

export interface RateLimiterOptions {
  burst?: number;
  /** The current caller's fairness key (the worker reads its activity's); absent: one queue for all. */
  fairnessKey?: () => string | undefined;
}

/** One caller's slot: how long from now until it starts, and when it was reserved. */
interface Slot {
  waitMs: number;
  reservedAt: number;
}

export function createDbRateLimiter(db: Db, ratesPerSecond: Partial<Record<ServiceName, number>>, { burst = 1, fairnessKey }: RateLimiterOptions = {}): RateLimiter {
  const ensured = new Set<string>();
  const states = new Map<ServiceName, ServiceState>();
  const stateOf = (service: ServiceName, max: number): ServiceState => {
    let state = states.get(service);
    if (!state) states.set(service, (state = { rate: max, credit: 0, flushedAt: 0, throttledAt: -Infinity, waiting: new Map(), reserving: false, holdUntil: 0 }));
    return state;
  };
  async function ensureRow(service: string) {
    if (ensured.has(service)) return;
    await db
      .insertInto('rate_limits')
      .values({ service, next_slot_at: new Date(0) })
      .onConflict((oc) => oc.column('service').doNothing())
      .execute();
    ensured.add(service);
  }

  /** Reserves the next `count` slots, spaced by the shared current rate; the wait until the first and that rate. */
  async function reserve(service: ServiceName, max: number, count: number): Promise<{ waitMs: number; rate: number }> {
    const result = await sql<{ wait_ms: number; rate: number }>`
      with cur as (
        select next_slot_at, greatest(${max * AIMD.floorShare}::float8, least(coalesce(current_rps, ${max}::float8), ${max}::float8)) as rate
        from rate_limits where service = ${service} for update
      ), slot as (
        select greatest(next_slot_at, clock_timestamp() - make_interval(secs => ${burst - 1}::float8 / rate)) as starts_at, rate from cur
      )
      update rate_limits set next_slot_at = (select starts_at from slot) + make_interval(secs => ${count}::float8 / (select rate from slot))
      where service = ${service}
      returning greatest(0, extract(epoch from ((select starts_at from slot) - clock_timestamp())) * 1000)::float8 as wait_ms,
        (select rate from slot) as rate`.execute(db);
    const row = result.rows[0];
    return { waitMs: Number(row?.wait_ms ?? 0), rate: Number(row?.rate ?? max) };
  }

  /** The next block's callers: one per fairness key in turn, each key moving to the back once served. */
  function takeInTurn(state: ServiceState, size: number): Waiter[] {
    const batch: Waiter[] = [];
    while (batch.length < size && state.waiting.size > 0) {
      const [key, queue] = state.waiting.entries().next().value as [string, Waiter[]];
      batch.push(queue.shift()!);
      state.waiting.delete(key);
      if (queue.length > 0) state.waiting.set(key, queue);
    }
    return batch;
  }

  /** Reserves the next block of slots for the waiting callers, once the last block is within the horizon. */
  function pump(service: ServiceName, max: number, state: ServiceState) {
    if (state.reserving || state.timer || state.waiting.size === 0) return;
    // At most MAX_HOLD_MS: the last block's callers may have given up, or its slots moved.
    const holdMs = Math.min(state.holdUntil - Date.now(), MAX_HOLD_MS);
    if (holdMs > 0) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        state.holdUntil = 0; // held long enough (at most MAX_HOLD_MS)
        pump(service, max, state);
      }, holdMs);
      return;
    }
    const batch = takeInTurn(state, Math.max(1, Math.ceil((state.rate * HORIZON_MS) / 1000)));
    batch.forEach((w) => w.settled());
    state.reserving = true;
    const reservedAt = Date.now();
    reserve(service, max, batch.length)
      .then(({ waitMs, rate }) => {
        state.rate = rate;
        state.holdUntil = reservedAt + waitMs + ((batch.length - 1) * 1000) / rate - HORIZON_MS;
        batch.forEach((w, i) => w.resolve({ waitMs: waitMs + (i * 1000) / rate, reservedAt }));
      }, (error: unknown) => batch.forEach((w) => w.reject(error)))
      .finally(() => {
        state.reserving = false;
        pump(service, max, state);
      });
  }

  function nextSlot(service: ServiceName, max: number, state: ServiceState, signal?: AbortSignal): Promise<Slot> {
    const key = fairnessKey?.() ?? NO_KEY;
    return new Promise<Slot>((resolve, reject) => {
      // A caller that gives up while it waits for its turn leaves the queue (no slot is spent on it).
      const onAbort = () => {
        const queue = state.waiting.get(key);
        const at = queue?.indexOf(waiter) ?? -1;
        if (queue && at >= 0) queue.splice(at, 1);
        if (queue?.length === 0) state.waiting.delete(key);
        reject(signal?.reason);
      };
      const waiter: Waiter = { resolve, reject, settled: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = state.waiting.get(key);
      if (queue) queue.push(waiter);
      else state.waiting.set(key, [waiter]);
      pump(service, max, state);
    });
  }

  async function pushBack(service: ServiceName, delayMs: number) {
    await ensureRow(service);
    await sql`update rate_limits set next_slot_at = greatest(next_slot_at, clock_timestamp() + make_interval(secs => ${delayMs / 1000}))
      where service = ${service}`.execute(db);
  }

  return {
    async acquire(service, signal) {
      const max = ratesPerSecond[service];
      if (!max) return;
      await ensureRow(service);
      const state = stateOf(service, max);
      for (let attempt = 0; ; attempt++) {
        signal?.throwIfAborted();
        const { waitMs, reservedAt } = await nextSlot(service, max, state, signal);
        if (waitMs > 0) await sleep(waitMs, signal);
        // A 429 reached this process after the slot was reserved: the slot predates the cut and the
        // Retry-After, and would likely meet another 429. Take a fresh one (a few times at most).
        if (state.throttledAt <= reservedAt || attempt === 3) return;
        await state.throttling?.catch(() => undefined);
      }
    },

    pushBack,

    async onThrottled(service, retryAfterMs) {
      const max = ratesPerSecond[service];
      if (!max) {
        if (retryAfterMs !== undefined) await pushBack(service, retryAfterMs);
        return;
      }
      await ensureRow(service);
      const state = stateOf(service, max);
      state.throttledAt = Date.now();
      state.credit = 0; // the successes that led up to an overload earn no increase
      // One statement: the cut (at most once per window, by the database clock) and the Retry-After.
      // Every SET sees the row as it was, so `cut` is decided once for both columns.
      const cut = sql`coalesce(last_decrease_at <= now() - make_interval(secs => ${AIMD.decreaseWindowMs / 1000}::float8), true)`;
      const held =
        retryAfterMs === undefined
          ? sql``
          : sql`, next_slot_at = greatest(next_slot_at, clock_timestamp() + make_interval(secs => ${retryAfterMs / 1000}::float8))`;
      const write = sql<{ rate: number }>`
        update rate_limits set
          current_rps = case when ${cut} then greatest(${max * AIMD.floorShare}::float8, least(coalesce(current_rps, ${max}::float8), ${max}::float8) * ${AIMD.decreaseFactor}::float8) else current_rps end,
          last_decrease_at = case when ${cut} then now() else last_decrease_at end${held}
        where service = ${service}
        returning least(coalesce(current_rps, ${max}::float8), ${max}::float8) as rate`.execute(db);
      state.throttling = write;
      const row = (await write).rows[0];
      if (row) state.rate = Number(row.rate);
    },

    async onSuccess(service) {
      const max = ratesPerSecond[service];
      if (!max) return;
      const state = stateOf(service, max);
      state.credit += successCredit(state.rate, max);
      const now = Date.now();
      if (state.credit === 0 || now - state.flushedAt < AIMD.flushEveryMs) return;
      const credit = state.credit;
      state.credit = 0;
      state.flushedAt = now;
      try {
        const result = await sql<{ rate: number }>`
          update rate_limits set current_rps = least(${max}::float8, current_rps + ${credit}::float8)
          where service = ${service} and current_rps < ${max}::float8
          returning current_rps as rate`.execute(db);
        state.rate = Number(result.rows[0]?.rate ?? max);
      } catch {
        state.credit += credit; // best effort: kept for the next flush
      }
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
