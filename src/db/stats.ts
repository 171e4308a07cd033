// The session's statistics, computed in SQL from stored rows. Tie rules are explicit so the
// report is reproducible: most-watched ties go to the show with more episodes in total, then name.
// Names compare by code point (collate "C"), the same on every database and in JavaScript.
import { sql } from 'kysely';
import { rtBandOf } from '../domain/ai/answers.js';
import { type RtScore, type RtSide, type ShowStat, imageUrl, round2 } from '../domain/report.js';
import type { Db } from './index.js';

/** Code-point order, matching `collate "C"`. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface SessionStats {
  shows: ShowStat[]; // ordered: most distinct episodes, then total episodes, then name
  firstShow: { showId: number; name: string; date: string; posterUrl: string | null } | null;
  totalEpisodes: number;
  films: number;
  genres: { name: string; share: number }[];
  crossoverStar: { name: string; imageUrl: string | null; showCount: number; shows: string[] } | null;
  rtScore: RtScore | null;
  latestWatch: string | null;
}

export async function loadSessionStats(db: Db, sessionId: string): Promise<SessionStats> {
  const showRows = await sql<{ show_id: number; name: string; episodes: string; total: number | null; poster_path: string | null; first_date: string | null }>`
    select e.show_id, s.name, count(*) as episodes, s.number_of_episodes as total, s.poster_path, min(e.first_watched_on) as first_date
    from episodes e join shows s on s.id = e.show_id
    where e.session_id = ${sessionId}
    group by e.show_id, s.name, s.number_of_episodes, s.poster_path
    order by count(*) desc, s.number_of_episodes desc nulls last, s.name collate "C" asc`.execute(db);
  const shows: ShowStat[] = showRows.rows.map((r) => ({ showId: r.show_id, name: r.name, episodes: Number(r.episodes), totalEpisodes: r.total, posterUrl: imageUrl(r.poster_path) }));

  const first = showRows.rows
    .filter((r) => r.first_date)
    .sort((a, b) => compareText(a.first_date!, b.first_date!) || compareText(a.name, b.name))[0];

  const films = await db.selectFrom('films').select(sql<string>`count(*)`.as('n')).where('session_id', '=', sessionId).executeTakeFirst();
  const latest = await db.selectFrom('episodes').select(sql<string | null>`max(last_watched_on)`.as('d')).where('session_id', '=', sessionId).executeTakeFirst();

  // A genre's share: its appearances across the viewer's shows over all genre appearances.
  const genreRows = await sql<{ genre: string; n: string; total: string }>`
    select g.genre, count(*) as n, sum(count(*)) over () as total
    from show_genres g
    where g.show_id in (select distinct show_id from episodes where session_id = ${sessionId})
    group by g.genre
    order by count(*) desc, g.genre collate "C" asc`.execute(db);
  const genres = genreRows.rows.slice(0, 5).map((r) => ({ name: r.genre, share: round2((Number(r.n) / Number(r.total)) * 100) }));

  // The actor in the most distinct watched shows; ties go to the more popular actor, then name.
  const star = await sql<{ id: number; name: string; profile_path: string | null; show_count: string }>`
    select a.id, a.name, a.profile_path, count(distinct c.show_id) as show_count
    from show_cast c join actors a on a.id = c.actor_id
    where c.show_id in (select distinct show_id from episodes where session_id = ${sessionId})
    group by a.id, a.name, a.profile_path, a.popularity
    order by count(distinct c.show_id) desc, a.popularity desc, a.name collate "C" asc
    limit 1`.execute(db);
  let crossoverStar: SessionStats['crossoverStar'] = null;
  const top = star.rows[0];
  if (top && Number(top.show_count) > 0) {
    const inShows = await db.selectFrom('show_cast').select('show_id').where('actor_id', '=', top.id).execute();
    const ids = new Set(inShows.map((r) => r.show_id));
    crossoverStar = {
      name: top.name,
      imageUrl: imageUrl(top.profile_path),
      showCount: Number(top.show_count),
      shows: shows.filter((s) => ids.has(s.showId)).slice(0, 5).map((s) => s.name),
    };
  }

  // RT taste: per show critics score, else audience; over shows scored > 0, the mean of
  // (episodes watched / total episodes, capped at 1) × score.
  const scored = await sql<{ show_id: number; score: number; total: number }>`
    select s.id as show_id, coalesce(s.critics_score, s.audience_score) as score, s.number_of_episodes as total
    from shows s
    where s.id in (select distinct show_id from episodes where session_id = ${sessionId})
      and coalesce(s.critics_score, s.audience_score) > 0 and s.number_of_episodes > 0`.execute(db);
  const watchedById = new Map(shows.map((s) => [s.showId, s.episodes]));
  let rtScore: SessionStats['rtScore'] = null;
  if (scored.rows.length > 0) {
    const values = scored.rows.map((r) => Math.min(1, (watchedById.get(r.show_id) ?? 0) / r.total) * r.score);
    const score = round2(values.reduce((a, b) => a + b, 0) / values.length);
    // Each side on its own, unweighted, for the card to set critics against audience.
    const sides = await sql<{ critics_mean: number | null; critics_shows: string; audience_mean: number | null; audience_shows: string }>`
      select avg(s.critics_score) filter (where s.critics_score > 0)::float8 as critics_mean,
             count(*) filter (where s.critics_score > 0) as critics_shows,
             avg(s.audience_score) filter (where s.audience_score > 0)::float8 as audience_mean,
             count(*) filter (where s.audience_score > 0) as audience_shows
      from shows s
      where s.id in (select distinct show_id from episodes where session_id = ${sessionId})`.execute(db);
    const row = sides.rows[0];
    const side = (mean: number | null | undefined, n: string | undefined): RtSide | null => (mean != null && Number(n) > 0 ? { mean: round2(Number(mean)), shows: Number(n) } : null);
    rtScore = { score, band: rtBandOf(score)!, showsScored: values.length, critics: side(row?.critics_mean, row?.critics_shows), audience: side(row?.audience_mean, row?.audience_shows) };
  }

  return {
    shows,
    firstShow: first ? { showId: first.show_id, name: first.name, date: first.first_date!, posterUrl: imageUrl(first.poster_path) } : null,
    totalEpisodes: shows.reduce((n, s) => n + s.episodes, 0),
    films: Number(films?.n ?? 0),
    genres,
    crossoverStar,
    rtScore,
    latestWatch: latest?.d ?? null,
  };
}

/** Genres, overview and first-air year of a show, for the AI's prompts. */
export async function loadShowFacts(db: Db, showId: number) {
  const show = await db.selectFrom('shows').select(['name', 'overview', 'first_air_date']).where('id', '=', showId).executeTakeFirstOrThrow();
  const genres = await db.selectFrom('show_genres').select('genre').where('show_id', '=', showId).orderBy('genre').execute();
  return {
    name: show.name,
    genres: genres.map((g) => g.genre),
    overview: show.overview ?? undefined,
    firstAirYear: show.first_air_date ? Number(show.first_air_date.slice(0, 4)) : null,
  };
}
