// A worker's lanes for one kind of per-show work (TMDB lookups, RT crawls), shared between sessions.
// The worker is CPU-bound under a big session, so every show in flight takes about as long as any
// other, and a session's pace is its share of the shows in flight. Per-chunk concurrency gave a 100k
// viewer with 8 chunks 8 times the share of a 1k viewer with one (issue 27): its 1k neighbour's crawl
// took 8 times as long as alone. Here a session takes a free lane at once, and when none is free
// the lanes freed go round-robin over the sessions waiting (their fairness keys), so each gets an
// equal share while others wait, and all of them when alone.
import { Context } from '@temporalio/activity';

export interface FairLanes {
  /** Shows in flight at once over every session. */
  readonly size: number;
  /** Runs `task` in a lane: at once if one is free and nobody waits, else at its session's turn. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** The running activity's fairness key (its session: src/contracts/workflows.ts sessionPriority); '' outside one or without one. */
export function activityFairnessKey(): string {
  try {
    return Context.current().info.priority?.fairnessKey ?? '';
  } catch {
    return ''; // not inside an activity
  }
}

export function createFairLanes(size: number, keyOf: () => string = activityFairnessKey): FairLanes {
  let busy = 0;
  /** Waiters per fairness key; the map's order is the turn order (a key served goes to the back). */
  const waiting = new Map<string, (() => void)[]>();

  /** A lane freed goes straight to the next session in turn, if any waits. */
  function release() {
    const next = waiting.entries().next();
    if (next.done) {
      busy--;
      return;
    }
    const [key, queue] = next.value;
    const wake = queue.shift()!;
    waiting.delete(key);
    if (queue.length > 0) waiting.set(key, queue);
    wake();
  }

  function acquire(key: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (busy < size && waiting.size === 0) {
      busy++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      // A chunk that ends while its shows wait leaves the queue (no lane is spent on it).
      const onAbort = () => {
        const queue = waiting.get(key);
        const at = queue?.indexOf(wake) ?? -1;
        if (queue && at >= 0) queue.splice(at, 1);
        if (queue?.length === 0) waiting.delete(key);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = waiting.get(key);
      if (queue) queue.push(wake);
      else waiting.set(key, [wake]);
    });
  }

  return {
    size,
    async run(task, signal) {
      await acquire(keyOf(), signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
