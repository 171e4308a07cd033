// "Your year in TV": a stored history spanning three years gives three year reports whose numbers an
// independent computation here confirms. The app runs with no service at all: no stand-ins, and a
// Temporal client whose server cannot be reached, so a year report can only come from stored rows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import type { YearReport } from '../../src/domain/period.js';
import { createTestDatabase } from '../support/db.js';
import { type ServedApp, bearer, serveApp, testSecurity } from '../support/servedApp.js';

const SESSION = 'year-in-tv-session';
const OTHER = 'year-in-tv-other';
const readKey = generateApiKey();
const writeKey = generateApiKey();
const security = testSecurity({ apiKeys: [generateApiKey(), `${readKey}:read`, `${writeKey}:write`] });

/** The history: [show, season, episode, dates]. Three years; a show that spans them, rewatches, a streak. */
interface Watch {
  show: string;
  episode: string;
  dates: string[];
}
const SHOWS: Record<string, { total: number; genres: string[] }> = {
  'Harbour Lights': { total: 40, genres: ['Drama', 'Crime'] },
  'Moon Bakery': { total: 20, genres: ['Comedy'] },
  'Static Orbit': { total: 16, genres: ['Sci-Fi & Fantasy', 'Drama'] },
  'Quiet Fields': { total: 8, genres: ['Documentary'] },
  'Night Shift Kitchen': { total: 30, genres: ['Comedy', 'Reality'] },
};
const pad = (n: number) => String(n).padStart(2, '0');
const date = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
function history(): Watch[] {
  const w: Watch[] = [];
  // 2023: Harbour Lights eps 1-12 through March and April, Moon Bakery 1-5 in June.
  for (let e = 1; e <= 12; e++) w.push({ show: 'Harbour Lights', episode: `E${e}`, dates: [date(2023, e <= 7 ? 3 : 4, e * 2)] });
  for (let e = 1; e <= 5; e++) w.push({ show: 'Moon Bakery', episode: `E${e}`, dates: [date(2023, 6, 10 + e)] });
  // 2024: Static Orbit eps 1-16 on 16 days in a row from 28 Jan (a streak over a month end), Harbour Lights
  // 13-20 in May, and a rewatch of Harbour Lights E1 and Moon Bakery E1 in December.
  for (let e = 1; e <= 16; e++) {
    const d = new Date(Date.UTC(2024, 0, 28 + e - 1));
    w.push({ show: 'Static Orbit', episode: `E${e}`, dates: [date(2024, d.getUTCMonth() + 1, d.getUTCDate())] });
  }
  for (let e = 13; e <= 20; e++) w.push({ show: 'Harbour Lights', episode: `E${e}`, dates: [date(2024, 5, e)] });
  w[0].dates.push(date(2024, 12, 24));
  w[12].dates.push(date(2024, 12, 25));
  // 2025: Quiet Fields 1-8 in September, Night Shift Kitchen 1-9 in October, Moon Bakery 6-8 in September.
  for (let e = 1; e <= 8; e++) w.push({ show: 'Quiet Fields', episode: `E${e}`, dates: [date(2025, 9, 1 + e * 3)] });
  for (let e = 1; e <= 9; e++) w.push({ show: 'Night Shift Kitchen', episode: `E${e}`, dates: [date(2025, 10, e)] });
  for (let e = 6; e <= 8; e++) w.push({ show: 'Moon Bakery', episode: `E${e}`, dates: [date(2025, 9, 20 + e)] });
  return w;
}
const WATCHES = history();

// ─── The independent computation: plain loops over the watch list, nothing from src/domain ───────

function expectedFor(year: number) {
  const inYear = WATCHES.filter((w) => w.dates.some((d) => d.startsWith(`${year}-`)));
  const perShow = new Map<string, number>();
  for (const w of inYear) perShow.set(w.show, (perShow.get(w.show) ?? 0) + 1);
  const ranked = [...perShow].sort((a, b) => b[1] - a[1] || SHOWS[b[0]].total - SHOWS[a[0]].total || (a[0] < b[0] ? -1 : 1));
  const monthOf = (d: string) => new Date(`${d}T00:00:00Z`).getUTCMonth() + 1;
  const monthCounts = (watches: Watch[]) => {
    const c = Array.from({ length: 13 }, () => 0);
    for (const w of watches) for (const d of w.dates) if (d.startsWith(`${year}-`)) c[monthOf(d)] += 1;
    return c;
  };
  const firstMax = (c: number[]) => c.indexOf(Math.max(...c.slice(1)), 1);
  const top = ranked[0][0];
  const days = new Set(WATCHES.flatMap((w) => w.dates).filter((d) => d.startsWith(`${year}-`)));
  // Walk every day of the year.
  let best = 0;
  let run = 0;
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    run = days.has(new Date(t).toISOString().slice(0, 10)) ? run + 1 : 0;
    best = Math.max(best, run);
  }
  const firstYear = (show: string) => Math.min(...WATCHES.filter((w) => w.show === show).flatMap((w) => w.dates.map((d) => Number(d.slice(0, 4)))));
  const fresh = [...perShow.keys()].filter((s) => firstYear(s) === year);
  const share = (shows: string[]) => {
    const all = shows.flatMap((s) => SHOWS[s].genres);
    return (g: string) => Math.round((all.filter((x) => x === g).length / all.length) * 10000) / 100;
  };
  return {
    totalEpisodes: inYear.length,
    totalShows: perShow.size,
    daysWatched: days.size,
    mostWatched: { name: top, episodes: ranked[0][1], month: firstMax(monthCounts(inYear.filter((w) => w.show === top))) },
    topMonth: { month: firstMax(monthCounts(inYear)), episodes: Math.max(...monthCounts(inYear).slice(1)) },
    streak: best,
    newShows: fresh.length,
    oldFavourites: perShow.size - fresh.length,
    episodeShare: Math.round((inYear.length / WATCHES.length) * 10000) / 100,
    yearShare: share([...perShow.keys()]),
    allTimeShare: share(Object.keys(SHOWS)),
  };
}

// ─── The app over a database holding only this history ──────────────────────────────────────────

let served: ServedApp;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let connection: Connection;

before(async () => {
  db = await createTestDatabase();
  // No Temporal server listens here, and no external service is configured: only the database answers.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  served = await serveApp({ client: new Client({ connection }), db: db.db, security });
  for (const id of [SESSION, OTHER]) await db.db.insertInto('sessions').values({ id, workflow_id: `session-${id}`, data_source: 'NETFLIX', state: 'COMPLETED' }).execute();
  const ids = new Map<string, number>();
  for (const [name, s] of Object.entries(SHOWS)) {
    const row = await db.db.insertInto('shows').values({ name_key: name.toLowerCase(), name, number_of_episodes: s.total, tmdb_status: 'matched', rt_status: 'matched' }).returning('id').executeTakeFirstOrThrow();
    ids.set(name, row.id);
    for (const genre of s.genres) await db.db.insertInto('show_genres').values({ show_id: row.id, genre }).execute();
  }
  for (const w of WATCHES) {
    const dates = [...w.dates].sort();
    await db.db
      .insertInto('episodes')
      .values({ session_id: SESSION, show_id: ids.get(w.show)!, season: 'Season 1', title: w.episode, watched_on: dates, first_watched_on: dates[0], last_watched_on: dates.at(-1)! })
      .execute();
  }
  await db.db.insertInto('report_versions').values({ session_id: SESSION, version: 1, final: true, report: JSON.stringify({ sessionId: SESSION, version: 1 }), created_at: new Date() }).execute();
});

after(async () => {
  await served?.close();
  await connection?.close().catch(() => undefined);
  await db?.close();
});

const viewer = () => bearer(security.viewerTokens.issue(SESSION).token);
const get = (p: string, headers: Record<string, string>) => fetch(`${served.url}${p}`, { headers });

test('the years the history covers, newest first', async () => {
  const res = await get(`/api/sessions/${SESSION}/years`, viewer());
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { years: [2025, 2024, 2023] });
});

for (const year of [2023, 2024, 2025]) {
  test(`the ${year} report matches an independent count`, async () => {
    const res = await get(`/api/sessions/${SESSION}/report?year=${year}`, viewer());
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const r = (await res.json()) as YearReport;
    const x = expectedFor(year);
    assert.equal(r.kind, 'year');
    assert.equal(r.year, year);
    assert.equal(r.basedOnVersion, 1);
    assert.equal(r.totalEpisodes, x.totalEpisodes);
    assert.equal(r.totalShows, x.totalShows);
    assert.equal(r.daysWatched, x.daysWatched);
    assert.deepEqual([r.mostWatchedShow?.name, r.mostWatchedShow?.episodes, r.mostWatchedShow?.month], [x.mostWatched.name, x.mostWatched.episodes, x.mostWatched.month]);
    assert.deepEqual([r.topMonth?.month, r.topMonth?.episodes], [x.topMonth.month, x.topMonth.episodes]);
    assert.equal(r.longestStreak?.days, x.streak);
    assert.equal(r.newShows.count, x.newShows);
    assert.equal(r.oldFavourites.count, x.oldFavourites);
    assert.equal(r.versusAllTime.episodeShare, x.episodeShare);
    assert.ok(r.versusAllTime.genres.length > 0);
    for (const g of r.versusAllTime.genres) {
      assert.equal(g.yearShare, x.yearShare(g.name), `${year} ${g.name}`);
      assert.equal(g.allTimeShare, x.allTimeShare(g.name), `${year} ${g.name} all time`);
    }
    assert.equal(r.versusAllTime.allTimeMostWatched, 'Harbour Lights');
  });
}

test('the numbers the three years hold are the ones this history was built with', () => {
  // Pins the independent computation itself to facts read off the fixture by hand.
  assert.equal(expectedFor(2024).streak, 16, 'Static Orbit: 16 days in a row from 28 January');
  assert.equal(expectedFor(2024).mostWatched.name, 'Static Orbit');
  assert.equal(expectedFor(2024).totalEpisodes, 16 + 8 + 2);
  assert.equal(expectedFor(2023).mostWatched.month, 3);
  assert.equal(expectedFor(2025).newShows, 2);
});

test('a year report is stored once and read back, until a new all-time version', async () => {
  const first = (await (await get(`/api/sessions/${SESSION}/report?year=2024`, viewer())).json()) as YearReport;
  const again = (await (await get(`/api/sessions/${SESSION}/report?year=2024`, viewer())).json()) as YearReport;
  assert.equal(again.generatedAt, first.generatedAt);
  const rows = await db.db.selectFrom('period_reports').select(['period', 'based_on_version']).where('session_id', '=', SESSION).orderBy('period').execute();
  assert.deepEqual(rows, [
    { period: '2023', based_on_version: 1 },
    { period: '2024', based_on_version: 1 },
    { period: '2025', based_on_version: 1 },
  ]);
  // A new all-time version (a refresh, a re-drive) makes the next request build the year again beside it.
  await db.db.insertInto('report_versions').values({ session_id: SESSION, version: 2, final: true, report: JSON.stringify({ sessionId: SESSION, version: 2 }), created_at: new Date() }).execute();
  const rebuilt = (await (await get(`/api/sessions/${SESSION}/report?year=2024`, viewer())).json()) as YearReport;
  assert.equal(rebuilt.basedOnVersion, 2);
  assert.equal(rebuilt.totalEpisodes, first.totalEpisodes);
  const v2 = await db.db.selectFrom('period_reports').select('period').where('session_id', '=', SESSION).where('based_on_version', '=', 2).execute();
  assert.deepEqual(v2, [{ period: '2024' }]);
});

test('bad years, an empty year and a year before any report are clear errors', async () => {
  assert.equal((await get(`/api/sessions/${SESSION}/report?year=2019`, viewer())).status, 404);
  assert.equal(((await (await get(`/api/sessions/${SESSION}/report?year=2019`, viewer())).json()) as { error: { code: string } }).error.code, 'no_such_year');
  for (const q of ['year=abc', 'year=20245', 'year=2024&version=1']) assert.equal((await get(`/api/sessions/${SESSION}/report?${q}`, viewer())).status, 400, q);
  const other = await get(`/api/sessions/${OTHER}/report?year=2024`, bearer(security.viewerTokens.issue(OTHER).token));
  assert.equal(other.status, 409);
});

test('who may read a year: the viewer and read operators; another viewer gets 404', async () => {
  assert.equal((await get(`/api/sessions/${SESSION}/report?year=2024`, bearer(readKey))).status, 200);
  assert.equal((await get(`/api/sessions/${SESSION}/report?year=2024`, bearer(writeKey))).status, 403);
  assert.equal((await get(`/api/sessions/${SESSION}/report?year=2024`, bearer(security.viewerTokens.issue(OTHER).token))).status, 404);
  assert.equal((await get(`/api/sessions/${SESSION}/report?year=2024`, {})).status, 401);
});

test('showprint report --year prints the year, from the same route', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['bin/showprint.js', '--api', served.url, 'report', SESSION, '--year', '2024'],
      { env: { ...process.env, SHOWPRINT_API_KEY: readKey, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'showprint-year-')), LOG_LEVEL: 'error' }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout)),
    ),
  );
  assert.match(out, /Your 2024 in TV/);
  assert.match(out, /Your show of 2024:\s+Static Orbit/);
  assert.match(out, /Your longest streak of 2024:\s+16 days/);
});

test("a year's share links show its cards, each saying the year; revoking the session's links ends them", async () => {
  const made = await fetch(`${served.url}/api/sessions/${SESSION}/year-share-links`, { method: 'POST', headers: { ...viewer(), 'content-type': 'application/json' }, body: JSON.stringify({ year: 2024 }) });
  assert.equal(made.status, 200, await made.clone().text());
  const { links } = (await made.json()) as { links: Record<string, { url: string; imageUrl: string; storyUrl: string }> };
  assert.deepEqual(Object.keys(links), ['yearOverview', 'yearMostWatched', 'yearTopMonth', 'yearStreak', 'yearNewVsOld', 'yearVersusAllTime']);
  for (const link of Object.values(links)) {
    const page = await fetch(link.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /2024/);
  }
  assert.match(await (await fetch(links.yearStreak.url)).text(), /16 days/);
  for (const img of [links.yearMostWatched.imageUrl, links.yearMostWatched.storyUrl]) {
    const res = await fetch(img);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
  }
  // Only the viewer makes them; an empty year has none.
  assert.equal((await fetch(`${served.url}/api/sessions/${SESSION}/year-share-links`, { method: 'POST', headers: { ...bearer(readKey), 'content-type': 'application/json' }, body: '{"year":2024}' })).status, 403);
  assert.equal((await fetch(`${served.url}/api/sessions/${SESSION}/year-share-links`, { method: 'POST', headers: { ...viewer(), 'content-type': 'application/json' }, body: '{"year":2019}' })).status, 404);
  const revoked = await fetch(`${served.url}/api/sessions/${SESSION}/share-links`, { method: 'DELETE', headers: viewer() });
  assert.equal(revoked.status, 200);
  assert.equal((await fetch(links.yearOverview.url)).status, 404);
  assert.equal((await fetch(links.yearOverview.imageUrl)).status, 404);
});
