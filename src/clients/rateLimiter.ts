// A rate limiter shared by every worker process: each external service has one row holding the
// earliest time the next request may start (GCRA). Reserving a slot is one atomic UPDATE that uses
// the database clock, so many workers on many hosts together stay under the service's limit.
//
// The spacing follows an adaptive rate kept in the same row: a refusal (429, or a 503 asking us to
// wait) cuts it for everyone and remembers the rate that was refused; successes approach that
// learned rate carefully (a share of the gap per request, then a slow probe past it), so a service
// whose real limit is far below the configured one is found in a few refusals and then refuses
// rarely. The configured rate stays the ceiling; before any refusal it is the rate.
//
// First contact (a process's first requests to a service, or its first after an idle spell) goes one
// request at a time until a few are answered, so a service whose limit we don't know refuses at most
// one of them, not every request a fast configured rate put in flight (rate × latency of them). A
// refusal then says the service cannot take even one request at a time: what it answered from the
// first request to the end of the pause is its pace, learned at once (not the configured rate × 0.7,
// which the next request would find refused again).
//
// Callers of one process that ask for the same service together share one UPDATE (a group commit):
// it reserves a block of consecutive slots, handed out in order. Under load that is one statement
// per burst of requests instead of one per request, and one lock on the hot row instead of many.
//
// Fair admission: a process reserves only about HORIZON_MS of slots ahead, and fills each block from
// the callers' fairness keys (a viewer's session) in turn, least served first (src/domain/turns.ts).
// A small session's requests then wait behind a few of everyone else's, not behind every request a
// large session has queued.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { TurnQueue } from '../domain/turns.js';

export type ServiceName = 'gandalf' | 'tmdb' | 'rt' | 'openai' | 'wikidata';

export interface RateLimiter {
  /** Waits until this caller may send one request to `service`. */
  acquire(service: ServiceName, signal?: AbortSignal): Promise<void>;
  /** The service said "slow down": nobody sends before `delayMs` from now. */
  pushBack(service: ServiceName, delayMs: number): Promise<void>;
  /**
   * The service refused us for pace (429, or 503): cut the shared rate (learning the refused one) and
   * pushBack by `retryAfterMs`, or by a default pause when the service named none.
   */
  onThrottled(service: ServiceName, retryAfterMs?: number): Promise<void>;
  /** The service answered without throttling: credit towards raising the shared rate. Never throws. */
  onSuccess(service: ServiceName): Promise<void>;
}

export const AIMD = {
  /**
   * ×0.7 on overload, CUBIC's factor (RFC 9438) rather than TCP Reno's ×0.5: the sawtooth dips to 70%
   * of its peak instead of 50%, which keeps throughput at the limit.
   */
  decreaseFactor: 0.7,
  /** Refusals within this long of a cut are the same overload (the requests already in flight): one cut. */
  decreaseWindowMs: 1000,
  /**
   * A refusal within this many successes of the last cut says the cut was not enough: the limit is
   * far lower. The rate is then cut to what the service actually answered since that cut (or to a
   * quarter when it answered nothing), instead of ×0.7 per refusal (20/s → 1/s took 9 refusals that way).
   */
  rapidSuccesses: 10,
  /** What a refusal with no success since the last cut leaves of the refused rate. */
  blindFactor: 0.25,
  /** Never below 1% of the configured rate: a real limit at 1/50 of it is still found below. */
  floorShare: 0.01,

  /** Before any refusal (no learned rate): +5% of the configured rate per second of successes. */
  increaseShare: 0.05,
  /**
   * Below the learned rate each success closes 3% of the gap: about 60 requests from a cut back to
   * near it, at any rate, so refusals stay near one per hundred requests however low the real limit is.
   */
  approachShare: 0.03,
  /**
   * Past the learned rate only after this many successes since the last cut: a short run stays at the
   * rate it learned (a probe is a refusal when the learned rate is the limit itself, as a Retry-After
   * of one request per pause tells), a long one still finds a limit that was raised.
   */
  probeAfter: 50,
  /** Each success also probes upward by 0.1% of the learned rate… */
  probeShare: 0.001,
  /** …and past it by 1% of the distance: a probe that speeds up the longer nothing is refused, so a raised limit is found. */
  probeGrowth: 0.01,
  /** Success credits are added to the row at most this often per process: a few writes a second at most. */
  flushEveryMs: 300,
};

/** The service's shared rate as the row holds it: the current rate, and the rate it last refused. */
export interface AdaptiveRate {
  current: number;
  learned: number | null;
}

/** What first contact saw before a refusal: the pace answered (per second, the pause included) and, with a Retry-After, one request per pause. */
export interface ContactPace {
  answered: number;
  perPause?: number;
}

/**
 * The rates after a refusal at `rate.current` (capped by the configured `max`). `answeredPerSecond` is
 * the rate of successes since the last cut when fewer than AIMD.rapidSuccesses came since (else undefined);
 * `atFirstContact`, what first contact saw when the refusal came while it lasted (it decides over the rest).
 */
export function decreasedRate(rate: AdaptiveRate, max: number, answeredPerSecond?: number, atFirstContact?: ContactPace): AdaptiveRate {
  const refused = Math.min(rate.current, max);
  const floor = max * AIMD.floorShare;
  let current = refused * AIMD.decreaseFactor;
  // The limit is somewhere below the refused rate (a service's burst lets a rate above it pass for a
  // while): learn the middle of the refused rate and the cut one.
  let learned: number | null = (refused + current) / 2;
  if (atFirstContact && atFirstContact.answered > 0) {
    // Refused one request at a time: the pace it answered (the pause included) is a pace it takes. A
    // Retry-After is how long until it takes the next one: a request per pause is as far as to climb.
    current = Math.min(current, atFirstContact.answered);
    learned = Math.min(refused, Math.max(current, atFirstContact.perPause ?? 0));
  } else if (answeredPerSecond !== undefined && answeredPerSecond > 0) {
    // Refused again right after a cut: what it answered meanwhile is the better guess of its limit.
    current = Math.min(current, answeredPerSecond);
    learned = Math.min(refused, current * 1.1);
  } else if (answeredPerSecond !== undefined) {
    // It answered nothing (an outage, or a limit far below): slow down hard; all it told is that the
    // refused rate is too fast.
    current = refused * AIMD.blindFactor;
    learned = Math.min(rate.learned ?? refused, refused);
  }
  return { current: Math.max(floor, current), learned: learned === null ? null : Math.max(floor, learned) };
}

/**
 * One success's increase of the shared rate. Near the learned rate the steps are small; away from it
 * (below, after a cut; above, once it was passed without a refusal) they grow with the distance, so
 * the rate returns to the learned one in tens of requests and still finds a limit that was raised.
 * Until AIMD.probeAfter successes since the last cut it only approaches the learned rate, never past it.
 */
export function successCredit(current: number, max: number, learned: number | null = null, successesSinceCut = Infinity): number {
  if (current >= max) return 0;
  // Never refused (or a row from before the learned rate was kept): climb back per second of successes.
  if (learned === null) return (max * AIMD.increaseShare) / current;
  if (successesSinceCut < AIMD.probeAfter) return Math.max(0, AIMD.approachShare * (learned - current));
  const probe = AIMD.probeShare * learned;
  return current < learned ? AIMD.approachShare * (learned - current) + probe : AIMD.probeGrowth * (current - learned) + probe;
}

export function increasedRate(current: number, credit: number, max: number): number {
  return Math.min(max, current + credit);
}

/**
 * How long everyone waits after a refusal that named no Retry-After: a second, or one slot at the new
 * rate, doubled for each cut in a row with no answer between (the service's bucket was still
 * empty after the last pause), up to 30 s.
 */
export function defaultPauseMs(rate: number, refusedInARow = 1): number {
  return Math.min(30_000, Math.max(1000, 1000 / rate) * 2 ** Math.max(0, refusedInARow - 1));
}

interface ServiceState {
  /** The shared rate as last seen by this process. */
  rate: number;
  /** Credits not yet added to the row. */
  credit: number;
  flushedAt: number;
  /** The rate this process last saw refused (the row's learned_rps). */
  learned: number | null;
  /** Cuts this process saw with no success between. */
  cutsInARow: number;
  /** Successes this process saw since it last saw the rate cut, and when that was (Date.now()). */
  successesSinceCut: number;
  cutAt: number;
  /** When this process last saw a refusal (Date.now()), and the write recording it. */
  throttledAt: number;
  throttling?: Promise<unknown>;
  /** Refusal writes in flight, and when the last one was written: a slot reserved before that predates its pause. */
  throttlesPending: number;
  throttleWrittenAt: number;
  /** Callers waiting for a slot, a queue per fairness key (whose turn: src/domain/turns.ts); `reserving` while one is in flight. */
  waiting: TurnQueue<Waiter>;
  reserving: boolean;
  /** No new block before this (Date.now()): the last block's slots are not yet within the horizon. */
  holdUntil: number;
  /** First contact: answers still to see one request at a time; the request in flight meanwhile, if any. */
  firstContactLeft: number;
  /** When this first contact began (Date.now()), and the successes it has seen. */
  contactStartedAt: number;
  contactSucceeded: number;
  contact?: { answered: Promise<void>; end: () => void };
  /** When this process last let a request through (Date.now()): an idle spell restarts first contact. */
  admittedAt: number;
  timer?: ReturnType<typeof setTimeout>;
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (error: unknown) => void;
  /** Stops listening for the caller's abort once it has a slot. */
  settled: () => void;
}

/**
 * First contact: this many answers, one request at a time, before the configured rate applies; again
 * after `idleMs` without a request (what the service allows may have changed meanwhile, as TCP restarts
 * its window after an idle spell). A request whose answer never comes holds the others `maxWaitMs` at most.
 * A refusal then with no Retry-After is taken as a wait of `pauseMs`: long enough for a limit down to
 * 0.5/s to take the next request (a second cost a second refusal below 1/s), and the pace learned from
 * it is what the service answered over that wait, which later successes probe up from.
 */
export const FIRST_CONTACT = { answers: 3, idleMs: 3_000, maxWaitMs: 2_000, pauseMs: 2_000 };

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
  /** Answers seen one request at a time at first contact (FIRST_CONTACT.answers; 0: none, for tests of the rest). */
  firstContactAnswers?: number;
}

/** One caller's slot: how long from now until it starts, and when it was reserved. */
interface Slot {
  waitMs: number;
  reservedAt: number;
}

export function createDbRateLimiter(db: Db, ratesPerSecond: Partial<Record<ServiceName, number>>, { burst = 1, fairnessKey, firstContactAnswers = FIRST_CONTACT.answers }: RateLimiterOptions = {}): RateLimiter {
  const ensured = new Set<string>();
  const states = new Map<ServiceName, ServiceState>();
  const stateOf = (service: ServiceName, max: number): ServiceState => {
    let state = states.get(service);
    if (!state) states.set(service, (state = { rate: max, learned: null, cutsInARow: 0, successesSinceCut: 0, cutAt: -Infinity, credit: 0, flushedAt: 0, throttledAt: -Infinity, throttlesPending: 0, throttleWrittenAt: -Infinity, waiting: new TurnQueue<Waiter>(), reserving: false, holdUntil: 0, firstContactLeft: 0, contactStartedAt: 0, contactSucceeded: 0, admittedAt: -Infinity }));
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
  async function reserve(service: ServiceName, max: number, count: number): Promise<{ waitMs: number; rate: number; learned: number | null }> {
    const result = await sql<{ wait_ms: number; rate: number; learned: number | null }>`
      with cur as (
        select next_slot_at, greatest(${max * AIMD.floorShare}::float8, least(coalesce(current_rps, ${max}::float8), ${max}::float8)) as rate, learned_rps
        from rate_limits where service = ${service} for update
      ), slot as (
        select greatest(next_slot_at, clock_timestamp() - make_interval(secs => ${burst - 1}::float8 / rate)) as starts_at, rate from cur
      )
      update rate_limits set next_slot_at = (select starts_at from slot) + make_interval(secs => ${count}::float8 / (select rate from slot))
      where service = ${service}
      returning greatest(0, extract(epoch from ((select starts_at from slot) - clock_timestamp())) * 1000)::float8 as wait_ms,
        (select rate from slot) as rate, (select learned_rps from cur) as learned`.execute(db);
    const row = result.rows[0];
    return { waitMs: Number(row?.wait_ms ?? 0), rate: Number(row?.rate ?? max), learned: row?.learned == null ? null : Number(row.learned) };
  }

  /** The next block's callers, each from the fairness key whose turn it is. */
  function takeInTurn(state: ServiceState, size: number): Waiter[] {
    const batch: Waiter[] = [];
    while (batch.length < size) {
      const next = state.waiting.take();
      if (!next) break;
      batch.push(next);
    }
    return batch;
  }

  /** Reserves the next block of slots for the waiting callers, once the last block is within the horizon. */
  function pump(service: ServiceName, max: number, state: ServiceState) {
    if (state.reserving || state.timer || state.waiting.size === 0) return;
    // A refusal is being written: a block reserved now would read the row without its pause and cut,
    // and its slots would be given up once the write lands. Reserve after it instead.
    if (state.throttlesPending > 0) {
      void state.throttling?.catch(() => undefined).then(() => pump(service, max, state));
      return;
    }
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
      .then(({ waitMs, rate, learned }) => {
        state.rate = rate;
        state.learned = learned;
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
        state.waiting.remove(key, waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = { resolve, reject, settled: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiting.push(key, waiter);
      pump(service, max, state);
    });
  }

  /** Waits while first contact has a request in flight, then lets this one through (alone, at first contact). */
  async function admitAtFirstContact(state: ServiceState, signal?: AbortSignal) {
    if (Date.now() - state.admittedAt > FIRST_CONTACT.idleMs) {
      state.firstContactLeft = firstContactAnswers;
      state.contactStartedAt = Date.now();
      state.contactSucceeded = 0;
    }
    while (state.firstContactLeft > 0 && state.contact) await untilAborted(state.contact.answered, signal);
    state.admittedAt = Date.now();
    if (state.firstContactLeft === 0) return;
    let end!: () => void;
    const answered = new Promise<void>((resolve) => {
      const timer = setTimeout(() => end(), FIRST_CONTACT.maxWaitMs); // the answer may never be reported
      end = () => {
        clearTimeout(timer);
        if (state.contact?.answered === answered) state.contact = undefined;
        resolve();
      };
    });
    state.contact = { answered, end };
  }

  /** An answer reached this process: at first contact, the next request may go. */
  function answeredAtFirstContact(state: ServiceState, succeeded: boolean) {
    if (state.firstContactLeft > 0) {
      state.firstContactLeft--;
      if (succeeded) state.contactSucceeded++;
    }
    state.contact?.end();
  }

  /**
   * Refused at first contact after some successes: the pace the service answered, from the first
   * request to the end of the pause this refusal asks for (FIRST_CONTACT.pauseMs when it names none;
   * the pause then taken is one slot at that pace, so at least as long).
   */
  function paceAtFirstContact(state: ServiceState, now: number, retryAfterMs: number | undefined): ContactPace | undefined {
    if (state.firstContactLeft === 0 || state.contactSucceeded === 0) return undefined;
    const answered = state.contactSucceeded / ((now - state.contactStartedAt + (retryAfterMs ?? FIRST_CONTACT.pauseMs)) / 1000);
    return { answered, perPause: retryAfterMs ? 1000 / retryAfterMs : undefined };
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
      await admitAtFirstContact(state, signal);
      for (let attempt = 0; ; attempt++) {
        signal?.throwIfAborted();
        const { waitMs, reservedAt } = await nextSlot(service, max, state, signal);
        if (waitMs > 0) await sleep(waitMs, signal);
        // A 429 reached this process after the slot was reserved: the slot predates the cut and the
        // Retry-After, and would likely meet another 429. Take a fresh one (a few times at most).
        // A slot reserved while the refusal was being written read the row without its pause: the same.
        const current = state.throttlesPending === 0 && state.throttledAt <= reservedAt && state.throttleWrittenAt <= reservedAt;
        if (current || attempt === 3) return;
        await state.throttling?.catch(() => undefined);
      }
    },

    pushBack,

    async onThrottled(service, retryAfterMs) {
      const max = ratesPerSecond[service];
      if (!max) {
        await pushBack(service, retryAfterMs ?? 1000);
        return;
      }
      await ensureRow(service);
      const state = stateOf(service, max);
      const now = Date.now();
      const contactPace = paceAtFirstContact(state, now, retryAfterMs);
      answeredAtFirstContact(state, false);
      state.throttledAt = now;
      state.credit = 0; // the successes that led up to an overload earn no increase
      // Refused again soon after a cut this process saw: what the service answered since is its pace.
      const rapid = Number.isFinite(state.cutAt) && state.successesSinceCut < AIMD.rapidSuccesses;
      const answered = rapid ? state.successesSinceCut / (Math.max(1, now - state.cutAt) / 1000) : undefined;
      // One transaction: the cut (at most once per window, by the database clock) and the pause.
      const write = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ current_rps: number | null; learned_rps: number | null; cut: boolean }>`
          select current_rps, learned_rps,
            coalesce(last_decrease_at <= now() - make_interval(secs => ${AIMD.decreaseWindowMs / 1000}::float8), true) as cut
          from rate_limits where service = ${service} for update`.execute(trx);
        const row = rows[0];
        const before: AdaptiveRate = { current: Math.min(row?.current_rps ?? max, max), learned: row?.learned_rps ?? null };
        const after = row?.cut ? decreasedRate(before, max, answered, contactPace) : before;
        // Without a Retry-After, a second or one slot at the new rate (at first contact, at least the
        // wait its pace was learned over): the service's bucket refills meanwhile.
        const inARow = row?.cut ? state.cutsInARow + 1 : Math.max(1, state.cutsInARow);
        const pauseMs = retryAfterMs ?? Math.max(contactPace ? FIRST_CONTACT.pauseMs : 0, defaultPauseMs(after.current, inARow));
        await sql`update rate_limits set
            next_slot_at = greatest(next_slot_at, clock_timestamp() + make_interval(secs => ${pauseMs / 1000}::float8))
            ${row?.cut ? sql`, current_rps = ${after.current}::float8, learned_rps = ${after.learned}::float8, last_decrease_at = now()` : sql``}
          where service = ${service}`.execute(trx);
        return { ...after, cut: !!row?.cut, inARow };
      });
      state.throttling = write;
      state.throttlesPending++;
      const result = await write.finally(() => {
        state.throttlesPending--;
        state.throttleWrittenAt = Date.now();
      });
      state.rate = result.current;
      state.learned = result.learned;
      if (result.cut) {
        state.cutsInARow = result.inARow;
        state.successesSinceCut = 0;
        state.cutAt = now;
      }
    },

    async onSuccess(service) {
      const max = ratesPerSecond[service];
      if (!max) return;
      const state = stateOf(service, max);
      answeredAtFirstContact(state, true);
      state.successesSinceCut++;
      state.cutsInARow = 0;
      state.credit += successCredit(state.rate, max, state.learned, state.successesSinceCut);
      const now = Date.now();
      if (state.credit === 0 || now - state.flushedAt < AIMD.flushEveryMs) return;
      const credit = state.credit;
      state.credit = 0;
      state.flushedAt = now;
      try {
        const result = await sql<{ rate: number; learned: number | null }>`
          update rate_limits set current_rps = least(${max}::float8, current_rps + ${credit}::float8)
          where service = ${service} and current_rps < ${max}::float8
          returning current_rps as rate, learned_rps as learned`.execute(db);
        const row = result.rows[0];
        state.rate = Number(row?.rate ?? max);
        state.learned = row ? (row.learned === null ? null : Number(row.learned)) : state.learned;
      } catch {
        state.credit += credit; // best effort: kept for the next flush
      }
    },
  };
}

/** `promise`, or the signal's reason once it aborts first. */
function untilAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
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
