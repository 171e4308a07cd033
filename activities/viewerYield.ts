// Background work gives way to viewers. Task-queue priority orders work inside Temporal, but the
// external services' rate limits are shared: a pre-warm sending TMDB and RT requests at full speed
// would take a viewer's share. So while any viewer's session is working, a catalog chunk waits
// before each request (heartbeating), for at most `maxWaitMs`, so a stuck session row cannot stall
// the crawl for ever.
import { sleep } from '../src/clients/rateLimiter.js';
import type { Db } from '../src/db/index.js';
import type { SessionState } from '../src/contracts/index.js';
import type { HoldGate } from '../src/clients/retry.js';

/** States in which a session is still looking shows up (a paused or waiting one sends nothing). */
const WORKING: SessionState[] = ['PROCESSING', 'STATS_DATA_READY', 'PROVISIONAL_REPORT_READY'];
/** A session row untouched this long is taken for one whose workflow was terminated without a word. */
const STALE_ROW_MS = 30 * 60_000;
/** How stale a worker's view may be: a viewer's session is noticed within this. */
const POLL_MS = 250;

export interface ViewerYield {
  /** Whether a viewer's session is working, as of at most one poll interval ago. */
  working(): Promise<boolean>;
  /** Waits while viewers' sessions are working, at most `maxWaitMs`; returns how long it waited. */
  giveWay(maxWaitMs: number, signal: AbortSignal, heartbeat: () => void): Promise<number>;
}

/**
 * An operator's holds, plus "held" for every service while viewers' sessions work: what the RT
 * crawler of a catalog chunk honours between requests (it pauses its pool, heartbeating), so a
 * viewer arriving mid-chunk waits for the requests in flight, not for the rest of the chunk.
 */
export function yieldingHolds(viewers: ViewerYield, holds: HoldGate | undefined): HoldGate {
  return {
    async isHeld(service) {
      return (await holds?.isHeld(service)) === true || (await viewers.working());
    },
    async waitWhileHeld(service, signal) {
      await holds?.waitWhileHeld(service, signal);
      while (await viewers.working()) await sleep(POLL_MS, signal);
    },
  };
}

export function createViewerYield(db: Db): ViewerYield {
  // One query per poll interval per worker, however many chunks ask.
  let last: { at: number; working: Promise<boolean> } | undefined;
  const viewersWorking = (): Promise<boolean> => {
    if (!last || Date.now() - last.at >= POLL_MS) {
      const working = db
        .selectFrom('sessions')
        .select('id')
        .where('state', 'in', WORKING)
        .where('updated_at', '>', new Date(Date.now() - STALE_ROW_MS))
        .limit(1)
        .execute()
        .then((rows) => rows.length > 0);
      last = { at: Date.now(), working };
      working.catch(() => (last = undefined)); // a failed look is not remembered
    }
    return last.working;
  };
  return {
    working: viewersWorking,
    async giveWay(maxWaitMs, signal, heartbeat) {
      if (maxWaitMs <= 0) return 0;
      const start = Date.now();
      while (Date.now() - start < maxWaitMs && (await viewersWorking())) {
        heartbeat();
        await sleep(POLL_MS, signal);
      }
      return Date.now() - start;
    },
  };
}
