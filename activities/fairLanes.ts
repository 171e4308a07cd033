// A worker's lanes for one kind of per-show work (TMDB lookups, RT crawls), shared between sessions.
// The worker is CPU-bound under a big session, so every show in flight takes about as long as any
// other, and a session's pace is its share of the shows in flight. Per-chunk concurrency gave a 100k
// viewer with 8 chunks 8 times the share of a 1k viewer with one (issue 27): its 1k neighbour's crawl
// took 8 times as long as alone. Here a session takes a free lane at once, and when none is free
// the lanes freed go round-robin over the sessions waiting (their fairness keys), so each gets an
// equal share while others wait, and all of them when alone. A session waiting for shows another
// session claimed (single-flight lookups) lends its turn to their tasks: the 1k viewer beside a 100k
// one waited 3–6 s for shared shows queued behind the 100k's other chunks.
import { Context } from '@temporalio/activity';

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
}

/** The running activity's fairness key (its session: src/contracts/workflows.ts sessionPriority); '' outside one or without one. */
export function activityFairnessKey(): string {
  try {
    return Context.current().info.priority?.fairnessKey ?? '';
  } catch {
    return ''; // not inside an activity
  }
}

/** A task waiting for a lane: whose turn it waits in, and for which show. */
interface Waiter {
  key: string;
  show?: number;
  wake: () => void;
}

export function createFairLanes(size: number, keyOf: () => string = activityFairnessKey): FairLanes {
  let busy = 0;
  /** Waiters per fairness key; the map's order is the turn order (a key served goes to the back). */
  const waiting = new Map<string, Waiter[]>();
  /** Shows whose tasks wait in another session's turn: show → that session's key. */
  const lent = new Map<number, string>();

  function enqueue(waiter: Waiter) {
    const queue = waiting.get(waiter.key);
    if (queue) queue.push(waiter);
    else waiting.set(waiter.key, [waiter]);
  }

  function dequeue(waiter: Waiter) {
    const queue = waiting.get(waiter.key);
    const at = queue?.indexOf(waiter) ?? -1;
    if (queue && at >= 0) queue.splice(at, 1);
    if (queue?.length === 0) waiting.delete(waiter.key);
  }

  /** A lane freed goes straight to the next session in turn, if any waits. */
  function release() {
    const next = waiting.entries().next();
    if (next.done) {
      busy--;
      return;
    }
    const [key, queue] = next.value;
    const waiter = queue.shift()!;
    waiting.delete(key);
    if (queue.length > 0) waiting.set(key, queue);
    waiter.wake();
  }

  function acquire(key: string, signal?: AbortSignal, show?: number): Promise<void> {
    signal?.throwIfAborted();
    if (busy < size && waiting.size === 0) {
      busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        key: (show !== undefined && lent.get(show)) || key,
        show,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      // A chunk that ends while its shows wait leaves the queue (no lane is spent on it).
      const onAbort = () => {
        dequeue(waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      enqueue(waiter);
    });
  }

  return {
    size,
    async run(task, signal, show) {
      await acquire(keyOf(), signal, show);
      try {
        return await task();
      } finally {
        release();
      }
    },

    lendTurn(shows) {
      const key = keyOf();
      const wanted = new Set(shows);
      for (const show of wanted) lent.set(show, key);
      // Tasks for these shows already waiting move to this session's queue.
      for (const queue of [...waiting.values()]) {
        for (const waiter of [...queue]) {
          if (waiter.show === undefined || !wanted.has(waiter.show) || waiter.key === key) continue;
          dequeue(waiter);
          waiter.key = key;
          enqueue(waiter);
        }
      }
      return () => {
        for (const show of wanted) if (lent.get(show) === key) lent.delete(show);
      };
    },
  };
}
