// The AI parts of the report. Each activity gathers its facts from stored rows, asks the AI client
// (LLM with validation and retries, else the local engine) and stores the answer once per session.
import { sql } from 'kysely';
import type { AiClient } from '../src/clients/openai.js';
import type { Db } from '../src/db/index.js';
import { loadSessionStats, loadShowFacts } from '../src/db/stats.js';
import { type BffCharacter, completeBff } from '../src/domain/ai/answers.js';
import { showQuipsQuestion, starSignQuestion, tvBffQuestion } from '../src/domain/ai/questions.js';
import { imageUrl } from '../src/domain/report.js';

export interface InsightDeps {
  db: Db;
  ai: AiClient;
}

async function storeInsight(db: Db, sessionId: string, kind: 'showQuips' | 'tvBff' | 'starSign', output: unknown, source: 'llm' | 'local') {
  await db
    .insertInto('insights')
    .values({ session_id: sessionId, kind, output: JSON.stringify(output), source })
    .onConflict((oc) => oc.columns(['session_id', 'kind']).doUpdateSet({ output: JSON.stringify(output), source }))
    .execute();
}

/** The show the BFF comes from: the top show of the 12 months before the latest watch, else all-time. */
async function bffShow(db: Db, sessionId: string, latestWatch: string | null): Promise<number | null> {
  const ranked = (since: string | null) =>
    sql<{ show_id: number }>`
      select e.show_id from episodes e join shows s on s.id = e.show_id
      where e.session_id = ${sessionId}
        and (${since}::text is null or e.last_watched_on > ${since})
        and exists (select 1 from show_cast c where c.show_id = e.show_id)
      group by e.show_id, s.number_of_episodes, s.name
      order by count(*) desc, s.number_of_episodes desc nulls last, s.name collate "C" asc
      limit 1`.execute(db);
  if (latestWatch) {
    const cutoff = `${Number(latestWatch.slice(0, 4)) - 1}${latestWatch.slice(4)}`;
    const recent = await ranked(cutoff);
    if (recent.rows[0]) return recent.rows[0].show_id;
  }
  return (await ranked(null)).rows[0]?.show_id ?? null;
}

export function createInsightActivities({ db, ai }: InsightDeps) {
  return {
    async writeShowQuips({ sessionId }: { sessionId: string }): Promise<void> {
      const stats = await loadSessionStats(db, sessionId);
      const most = stats.shows[0];
      if (stats.firstShow && most) {
        const answer = await ai.ask(showQuipsQuestion, {
          firstShow: { ...(await loadShowFacts(db, stats.firstShow.showId)), firstWatched: stats.firstShow.date },
          mostWatchedShow: { ...(await loadShowFacts(db, most.showId)), watched: most.episodes, total: most.totalEpisodes ?? most.episodes },
        });
        await storeInsight(db, sessionId, 'showQuips', answer.output, answer.source);
      }
    },

    async pickTvBff({ sessionId }: { sessionId: string }): Promise<void> {
      const stats = await loadSessionStats(db, sessionId);
      const showId = await bffShow(db, sessionId, stats.latestWatch);
      if (showId === null) return; // no show with a cast: no BFF to pick
      const cast = await db
        .selectFrom('show_cast')
        .innerJoin('actors', 'actors.id', 'show_cast.actor_id')
        .select(['show_cast.character', 'show_cast.episode_count', 'actors.name', 'actors.popularity', 'actors.profile_path'])
        .where('show_cast.show_id', '=', showId)
        .where('show_cast.character', '!=', '')
        .orderBy('show_cast.episode_count', 'desc')
        .orderBy('actors.popularity', 'desc')
        .orderBy(sql`actors.name collate "C"`)
        .limit(5)
        .execute();
      if (cast.length === 0) return;
      const characters: BffCharacter[] = cast.map((c) => ({
        name: c.character,
        actor: c.name,
        episodes: c.episode_count,
        popularity: c.popularity,
        imageUrl: imageUrl(c.profile_path),
      }));
      const input = { show: await loadShowFacts(db, showId), characters, topGenres: stats.genres.slice(0, 2).map((g) => g.name) };
      const answer = await ai.ask(tvBffQuestion, input);
      await storeInsight(db, sessionId, 'tvBff', completeBff(answer.output, input), answer.source);
    },

    async pickStarSign({ sessionId }: { sessionId: string }): Promise<void> {
      const stats = await loadSessionStats(db, sessionId);
      const answer = await ai.ask(starSignQuestion, {
        genres: stats.genres,
        rtScore: stats.rtScore?.score ?? null,
        rtBand: stats.rtScore?.band ?? null,
        totalShows: stats.shows.length,
        totalEpisodes: stats.totalEpisodes,
        films: stats.films,
        topShows: stats.shows.slice(0, 3).map((s) => s.name),
      });
      await storeInsight(db, sessionId, 'starSign', answer.output, answer.source);
    },
  };
}
