// Activities the re-drive workflow needs besides enrichment and crawling.
import type { Db } from '../src/db/index.js';
import { listDeadLetters, resolveDeadLetters } from '../src/db/deadLetters.js';
import { type StageName, perStage } from '../src/contracts/index.js';

export function createRedriveActivities({ db }: { db: Db }) {
  return {
    /** A session's unresolved dead letters, per stage of the table. */
    async listFailedShows({ sessionId }: { sessionId: string }): Promise<Record<StageName, number[]>> {
      const letters = await listDeadLetters(db, sessionId);
      return perStage((row) => letters.filter((l) => l.stage === row.deadLetterStage).map((l) => l.show_id));
    },
    async resolveFailedShows({ sessionId }: { sessionId: string }): Promise<{ resolved: number; remaining: number }> {
      const resolved = await resolveDeadLetters(db, sessionId);
      return { resolved, remaining: (await listDeadLetters(db, sessionId)).length };
    },
  };
}
