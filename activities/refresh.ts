// The scheduled refresh's fetch: Gandalf lists activity newest first, so it pages from the start
// until it reaches activity older than the newest watch already stored (the watermark). Stored
// rows are idempotent upserts, so the overlap at the boundary is harmless.
import { Context } from '@temporalio/activity';
import { sql } from 'kysely';
import type { GandalfClient } from '../src/clients/gandalf/client.js';
import type { ServiceCaller } from '../src/clients/retry.js';
import type { Db } from '../src/db/index.js';
import { parseGandalfDate } from '../src/domain/dates.js';
import { classified } from './failures.js';
import { parseActivities, storeBatch } from './fetch.js';

export interface RefreshFetchInput {
  sessionId: string;
  dataKey: string;
  pageSize: number;
  /** Marks the shows this refresh saw first (retry-safe, like the session's fetch batches). */
  batch: number;
}

export interface RefreshFetchResult {
  watermark: string | null;
  pagesFetched: number;
  newActivities: number;
  newShowIds: number[];
}

export function createRefreshActivities({ db, gandalf, caller }: { db: Db; gandalf: GandalfClient; caller: ServiceCaller }) {
  return {
    async fetchNewHistory(input: RefreshFetchInput): Promise<RefreshFetchResult> {
      return classified(async () => {
        const ctx = Context.current();
        const latest = await db.selectFrom('episodes').select(sql<string | null>`max(last_watched_on)`.as('d')).where('session_id', '=', input.sessionId).executeTakeFirst();
        const watermark = latest?.d ?? null;
        let newActivities = 0;
        let page = 1;
        for (;;) {
          const result = await caller.call('gandalf', () => gandalf.getActivityPage(input.dataKey, page, input.pageSize, ctx.cancellationSignal), ctx.cancellationSignal);
          const dates = result.activities.map((a) => parseGandalfDate(a.date)).flatMap((d) => (d.ok ? [d.date] : []));
          newActivities += watermark ? dates.filter((d) => d >= watermark).length : result.activities.length;
          await storeBatch(db, input.sessionId, input.batch, parseActivities(result.activities));
          ctx.heartbeat({ page });
          const pastWatermark = watermark !== null && dates.length > 0 && dates.every((d) => d < watermark);
          if (pastWatermark || page * input.pageSize >= result.total || result.activities.length === 0) break;
          page++;
        }
        const fresh = await db.selectFrom('session_shows').select('show_id').where('session_id', '=', input.sessionId).where('first_batch', '=', input.batch).execute();
        return { watermark, pagesFetched: page, newActivities, newShowIds: fresh.map((r) => r.show_id) };
      });
    },
  };
}
