// The crawl's last step: a show's verdict on its row (matched with its scores, or not on RT), or,
// for a show that failed for good, its reason on the row and a dead letter an operator can re-drive.
// Verdicts are written a few at a time, one statement for several rows (one UPDATE per show was
// a third of the session's queries); a show counts as finished only once its row is written.
import { sql } from 'kysely';
import { writeOffShows } from '../../src/db/deadLetters.js';
import type { Db } from '../../src/db/index.js';
import type { RtMatch } from '../../src/db/schema.js';
import { rtMatches } from '../../src/observability/metrics.js';

export interface RtOutcome {
  url?: string;
  match: RtMatch;
  critics?: number | null;
  audience?: number | null;
}

interface Verdict {
  showId: number;
  status: 'matched' | 'not_found';
  values: RtOutcome;
  checkedAt: Date;
}

/** Writes these verdicts in one statement, locking their rows in id order (as a concurrent chunk would). */
async function writeVerdicts(db: Db, verdicts: readonly Verdict[]): Promise<void> {
  const rows = [...verdicts].sort((a, b) => a.showId - b.showId);
  const values = sql.join(
    rows.map(
      ({ showId, status, values: v, checkedAt }) =>
        sql`(${showId}::int, ${status}::text, ${v.match}::text, ${v.url ?? null}::text, ${v.critics ?? null}::int, ${v.audience ?? null}::int, ${checkedAt.toISOString()}::timestamptz)`,
    ),
  );
  const ids = rows.map((r) => r.showId);
  await sql`
    with v (id, status, match, url, critics, audience, checked_at) as (values ${values}),
    locked as (select id from shows where id = any(${ids}::int[]) order by id for update)
    update shows set rt_status = v.status, rt_match = v.match, rt_url = v.url, critics_score = v.critics,
      audience_score = v.audience, rt_error = null, rt_checked_at = v.checked_at
    from v where shows.id = v.id and shows.id = any(array(select id from locked))`.execute(db);
  for (const { values: v } of rows) rtMatches.inc({ method: v.match });
}

export interface OutcomeWriter {
  /** Resolves once the show's verdict is on its row; rejects if that write failed. `now`: write it (and those waiting) at once. */
  record(showId: number, status: 'matched' | 'not_found', values: RtOutcome, now?: boolean): Promise<void>;
}

/**
 * Gathers a chunk's verdicts and writes them together: once `maxRows` wait, or `maxWaitMs` after
 * the first. A verdict waits at most that long, and nothing is lost if the worker dies meanwhile:
 * the show is not marked finished, so a retry crawls it again.
 */
export function createOutcomeWriter(db: Db, { maxRows = 25, maxWaitMs = 50 } = {}): OutcomeWriter {
  let pending: { verdict: Verdict; done: () => void; failed: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    writeVerdicts(
      db,
      batch.map((p) => p.verdict),
    ).then(
      () => batch.forEach((p) => p.done()),
      (error: unknown) => batch.forEach((p) => p.failed(error)),
    );
  }

  return {
    record(showId, status, values, now = false) {
      return new Promise<void>((done, failed) => {
        pending.push({ verdict: { showId, status, values, checkedAt: new Date() }, done, failed });
        if (now || pending.length >= maxRows) flush();
        else timer ??= setTimeout(flush, maxWaitMs);
      });
    },
  };
}

export async function recordWriteOff(db: Db, sessionId: string, showId: number, reason: string, attempts: number): Promise<void> {
  await writeOffShows(db, { sessionId, stage: 'crawl', showIds: [showId], reason, attempts });
}
