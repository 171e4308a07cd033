// Activities the re-drive workflow needs besides enrichment and crawling.
import type { Db } from '../src/db/index.js';
import { listDeadLetters, resolveDeadLetters } from '../src/db/deadLetters.js';

export function createRedriveActivities({ db }: { db: Db }) {
  return {
    async listFailedShows({ sessionId }: { sessionId: string }): Promise<{ showData: number[]; crawl: number[] }> {
      const letters = await listDeadLetters(db, sessionId);
      return {
        showData: letters.filter((l) => l.stage === 'showData').map((l) => l.show_id),
        crawl: letters.filter((l) => l.stage === 'crawl').map((l) => l.show_id),
      };
    },
    async resolveFailedShows({ sessionId }: { sessionId: string }): Promise<{ resolved: number; remaining: number }> {
      const resolved = await resolveDeadLetters(db, sessionId);
      return { resolved, remaining: (await listDeadLetters(db, sessionId)).length };
    },
  };
}
