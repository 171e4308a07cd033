// The crawl's last step: a show's verdict on its row (matched with its scores, or not on RT), or,
// for a show that failed for good, its reason on the row and a dead letter an operator can re-drive.
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

export async function recordOutcome(db: Db, showId: number, status: 'matched' | 'not_found', values: RtOutcome): Promise<void> {
  await db
    .updateTable('shows')
    .set({
      rt_status: status,
      rt_match: values.match,
      rt_url: values.url ?? null,
      critics_score: values.critics ?? null,
      audience_score: values.audience ?? null,
      rt_error: null,
      rt_checked_at: new Date(),
    })
    .where('id', '=', showId)
    .execute();
  rtMatches.inc({ method: values.match });
}

export async function recordWriteOff(db: Db, sessionId: string, showId: number, reason: string, attempts: number): Promise<void> {
  await writeOffShows(db, { sessionId, stage: 'crawl', showIds: [showId], reason, attempts });
}
