// A worker's lanes for one kind of per-show work (TMDB lookups, RT crawls), shared between sessions.
// The worker is CPU-bound under a big session, so every show in flight takes about as long as any
// other, and a session's pace is its share of the shows in flight. Per-chunk concurrency gave a 100k
// viewer with 8 chunks 8 times the share of a 1k viewer with one (issue 27): its 1k neighbour's crawl
// took 8 times as long as alone. Here a session takes a free lane at once, and when none is free
// the lanes freed go to the waiting session (fairness key) whose turn it is (src/domain/turns.ts:
// least served first, with a round-robin floor); a session alone gets them all. Within a session the
// oldest chunk goes first: in arrival order a session's chunks took turns and all finished their
// lookups together at the end, leaving the whole crawl for after them; oldest first, the first
// chunks' crawls overlap the later chunks' lookups (10k: 1.6 × T* → 1.25 ×). A session waiting
// for shows another session claimed (single-flight lookups) lends its turn to their tasks: the 1k
// viewer beside a 100k one waited 3–6 s for shared shows queued behind the 100k's other chunks.
import { Context } from '@temporalio/activity';
import { AsyncLocalStorage } from 'node:async_hooks';
import { TurnQueue } from '../src/domain/turns.js';

export interface FairLanes {
  /** Shows in flight at once over every session. */
  readonly size: number;
  /**
   * Runs `task` in a lane: at once if one is free and nobody waits, else at its session's turn, or at
   * the turn of a session that lent one to its `show` (lendTurn).
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal, show?: number): Promise<T>;
  /**
   * The running session waits for these shows, which another session's chunk claimed (single-flight
   * lookups): their tasks wait in this session's turn instead of behind everything their own session
   * queued. Until the returned function is called.
   */
  lendTurn(shows: readonly number[]): () => void;
  /** Whether another session waits for this show (its outcome is worth storing at once, not in a batch). */
  isWanted(show: number): boolean;
}

/** A task running in a turn another session lent it: that session's key, for the rate limiter's turns too. */
const lentKey = new AsyncLocalStorage<string>();

/**
 * Whose turn the running code takes: the running activity's fairness key (its session:
 * src/contracts/workflows.ts sessionPriority), or the key of the session that lent it its turn; ''
 * outside an activity or without a key.
 */
export function activityFairnessKey(): string {
  const lent = lentKey.getStore();
  if (lent !== undefined) return lent;
  try {
    return Context.current().info.priority?.fairnessKey ?? '';
  } catch {
    return ''; // not inside an activity
  }
}

/** The running activity's age rank (when its chunk was first scheduled; retries keep it); 0 outside one. */
export function activityRank(): number {
  try {
    return Context.current().info.scheduledTimestampMs;
  } catch {
    return 0; // not inside an activity
  }
}

/** A task waiting for a lane: whose turn it waits in, for which show, and its chunk's age rank. */
interface Waiter {
  key: string;
  show?: number;
  rank: number;
  wake: () => void;
}

export function createFairLanes(size: number, keyOf: () => string = activityFairnessKey, rankOf: () => number = activityRank): FairLanes {
  let busy = 0;
  const waiting = new TurnQueue<Waiter>();
  /** Shows whose tasks wait in another session's turn: show → that session's key. */
  const lent = new Map<number, string>();

  /** A lane freed goes straight to the session whose turn it is, if any waits. */
  function release() {
    const next = waiting.take();
    if (next) next.wake();
    else busy--;
  }

  /** Resolves with the key whose turn the task took (another session's, when it was lent one). */
  function acquire(own: string, rank: number, signal?: AbortSignal, show?: number): Promise<string> {
    signal?.throwIfAborted();
    const key = (show !== undefined && lent.get(show)) || own;
    if (busy < size && waiting.size === 0) {
      busy++;
      waiting.creditTurn(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        key,
        show,
        rank,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(waiter.key);
        },
      };
      // A chunk that ends while its shows wait leaves the queue (no lane is spent on it).
      const onAbort = () => {
        waiting.remove(waiter.key, waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter.key, waiter, rank);
    });
  }

  return {
    size,
    async run(task, signal, show) {
      const own = keyOf();
      const turn = await acquire(own, rankOf(), signal, show);
      try {
        // In a lent turn the task's requests queue at the rate limiter in that session's turn too.
        return await (turn === own ? task() : lentKey.run(turn, task));
      } finally {
        release();
      }
    },

    lendTurn(shows) {
      const key = keyOf();
      const wanted = new Set(shows);
      for (const show of wanted) lent.set(show, key);
      // Tasks for these shows already waiting move to this session's queue.
      for (const [, waiter] of waiting.entries()) {
        if (waiter.show === undefined || !wanted.has(waiter.show) || waiter.key === key) continue;
        waiting.remove(waiter.key, waiter);
        waiter.key = key;
        waiting.push(key, waiter, waiter.rank);
      }
      return () => {
        for (const show of wanted) if (lent.get(show) === key) lent.delete(show);
      };
    },

    isWanted: (show) => lent.has(show),
  };
}
