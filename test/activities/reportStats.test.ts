// The report's show posters and its critics-against-audience means, from known rows: the stats
// computed in SQL, and the report version built from them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReportActivities } from '../../activities/report.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { readReport } from '../../src/db/reportVersions.js';
import { loadSessionStats } from '../../src/db/stats.js';
import { createTestDatabase } from '../support/db.js';

let db: DatabaseHandle;
const SESSION = 'rs';
const ids: Record<string, number> = {};

interface ShowRow {
  name: string;
  poster: string | null;
  total: number;
  critics: number | null;
  audience: number | null;
  /** Episodes watched, each on its own day from `from`. */
  watched: number;
  from: string;
}

// Critics over Alpha (80), Beta (60), Delta (90): 0 (Gamma) and null (Epsilon) are no score.
// Audience over Alpha (70), Gamma (50), Epsilon (41): Beta has none, Delta's 0 is none.
const SHOWS: ShowRow[] = [
  { name: 'Alpha', poster: '/alpha.jpg', total: 10, critics: 80, audience: 70, watched: 5, from: '2021-03-01' },
  { name: 'Beta', poster: null, total: 4, critics: 60, audience: null, watched: 4, from: '2020-01-01' },
  { name: 'Gamma', poster: '/gamma.jpg', total: 20, critics: 0, audience: 50, watched: 3, from: '2022-01-01' },
  { name: 'Delta', poster: '/delta.jpg', total: 8, critics: 90, audience: 0, watched: 2, from: '2022-06-01' },
  { name: 'Epsilon', poster: '/eps.jpg', total: 0, critics: null, audience: 41, watched: 1, from: '2023-01-01' },
];

before(async () => {
  db = await createTestDatabase();
  await db.db.insertInto('sessions').values({ id: SESSION, workflow_id: `session-${SESSION}`, data_source: 'NETFLIX', state: 'PROCESSING', failure_reason: null }).execute();
  const now = new Date();
  for (const s of SHOWS) {
    const { id } = await db.db
      .insertInto('shows')
      .values({ name_key: `rs-${s.name}`, name: s.name, tmdb_status: 'matched', tmdb_checked_at: now, rt_status: 'matched', rt_checked_at: now, poster_path: s.poster, number_of_episodes: s.total, critics_score: s.critics, audience_score: s.audience })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[s.name] = id;
    await db.db.insertInto('session_shows').values({ session_id: SESSION, show_id: id, first_batch: 0 }).execute();
    for (let e = 0; e < s.watched; e++) {
      const day = new Date(Date.parse(`${s.from}T00:00:00Z`) + e * 86_400_000).toISOString().slice(0, 10);
      await db.db.insertInto('episodes').values({ session_id: SESSION, show_id: id, season: 'Season 1', title: `Episode ${e + 1}`, watched_on: [day], first_watched_on: day, last_watched_on: day }).execute();
    }
  }
});
after(async () => {
  await db?.close();
});

const poster = (path: string) => `https://image.tmdb.org/t/p/w500${path}`;

test('the critics’ and the audience’s means cover only the shows with that score; the taste score is as before', async () => {
  const stats = await loadSessionStats(db.db, SESSION);
  // Taste score (DESIGN §1): critics else audience, > 0, episodes known: Alpha 0.5×80, Beta 1×60, Delta 0.25×90
  // (Gamma's critics 0 is a score, so not its audience's; Epsilon's length is unknown).
  assert.deepEqual(stats.rtScore, {
    score: 40.83,
    band: 'Fresh',
    showsScored: 3,
    critics: { mean: 76.67, shows: 3 },
    audience: { mean: 53.67, shows: 3 },
  });
});

test('the report carries each show card’s poster, null where TMDB has none', async () => {
  const { buildReport } = createReportActivities({ db: db.db });
  await buildReport({ sessionId: SESSION, crawlComplete: true });
  const report = (await readReport(db.db, SESSION))!;
  assert.deepEqual(report.firstShow, { name: 'Beta', date: '2020-01-01', posterUrl: null });
  assert.equal(report.mostWatchedShow?.name, 'Alpha');
  assert.equal(report.mostWatchedShow?.posterUrl, poster('/alpha.jpg'));
  assert.deepEqual(report.topShows, [
    { name: 'Alpha', episodes: 5, totalEpisodes: 10, posterUrl: poster('/alpha.jpg') },
    { name: 'Beta', episodes: 4, totalEpisodes: 4, posterUrl: null },
    { name: 'Gamma', episodes: 3, totalEpisodes: 20, posterUrl: poster('/gamma.jpg') },
  ]);
  assert.deepEqual(report.rtScore?.critics, { mean: 76.67, shows: 3 });
  assert.deepEqual(report.rtScore?.audience, { mean: 53.67, shows: 3 });
});
