import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCatalog, type Catalog } from '../../standins/catalog.js';
import { clearHistoryCache, DEMO_DATA_KEYS, historyFor, parseDataKey, type HistoryActivity } from '../../standins/histories.js';
import { normalizeTitle } from '../../standins/text.js';

const SEASON_RE = /: (Season \d+|Limited Series|Part \d+|Volume \d+|Book (?:One|Two|Three)|Collection): /;

function isRealDate(d: string): boolean {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(d);
  if (!m) return false;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(year, month - 1, day));
  return dt.getUTCFullYear() === year && dt.getUTCMonth() === month - 1 && dt.getUTCDate() === day;
}

const distinctShows = (h: HistoryActivity[]): number => new Set(h.map((a) => a.showId).filter((x) => x !== undefined)).size;

const catalog: Catalog = buildCatalog();

test('catalog is deterministic and the default is memoised', () => {
  assert.equal(buildCatalog(), catalog);
  const a = buildCatalog(7, 200);
  const b = buildCatalog(7, 200);
  assert.notEqual(a, b);
  assert.deepEqual(a.shows, b.shows);
  assert.deepEqual(a.actors, b.actors);
  assert.deepEqual(a.films, b.films);
  assert.notDeepEqual(buildCatalog(8, 200).shows.map((s) => s.name), a.shows.map((s) => s.name));
});

test('catalog invariants', () => {
  assert.equal(catalog.shows.filter((s) => s.decoyBy !== 'region').length, 3000, 'the generated shows, beside the region twins added after them');
  assert.ok(catalog.actors.length >= 3500 && catalog.actors.length <= 4500);
  const ids = new Set(catalog.shows.map((s) => s.id));
  assert.equal(ids.size, catalog.shows.length);
  const byName = new Map<string, number>();
  for (const s of catalog.shows) {
    assert.ok(s.cast.length >= 5 && s.cast.length <= 15, `${s.name} cast size`);
    assert.equal(new Set(s.cast.map((m) => m.actorId)).size, s.cast.length);
    for (const m of s.cast) {
      assert.ok(catalog.actorById.has(m.actorId));
      assert.ok(m.episodeCount >= 1 && m.episodeCount <= s.numberOfEpisodes);
      assert.ok(m.character.length > 0);
    }
    assert.equal(s.seasons.reduce((n, x) => n + x.episodes.length, 0), s.numberOfEpisodes);
    assert.equal(s.seasons.length, s.numberOfSeasons);
    for (const season of s.seasons) assert.equal(new Set(season.episodes).size, season.episodes.length, 'episode titles unique per season');
    assert.match(s.firstAirDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(s.genres.length >= 1);
    assert.equal(normalizeTitle(s.netflixName), normalizeTitle(s.name), 'netflixName differs only by tag/case/accents/punctuation');
    assert.doesNotMatch(s.name, /\b(Season|Part|Volume|Book|Collection|Limited Series)\b/);
    const key = normalizeTitle(s.name);
    byName.set(key, (byName.get(key) ?? 0) + 1);
  }
  // Names are unique by normalized form, except the deliberate decoy pairs.
  const decoys = catalog.shows.filter((s) => s.decoyOf !== undefined);
  assert.ok(decoys.length >= 10, `decoys: ${decoys.length}`);
  for (const [key, n] of byName) {
    if (n > 1) assert.ok(decoys.some((d) => normalizeTitle(d.name) === key), `duplicate name ${key}`);
  }
  for (const d of decoys) {
    const real = catalog.showById.get(d.decoyOf!)!;
    assert.equal(d.name, real.name);
    assert.notEqual(d.firstAirDate.slice(0, 4), real.firstAirDate.slice(0, 4));
    assert.ok(d.onTmdb);
    // Resolvable by year then popularity: a more popular decoy only airs after every watch date.
    // Region twins are more popular on purpose: only the region tag tells them apart.
    if (d.decoyBy !== 'region' && d.popularity >= real.popularity) assert.ok(d.firstAirDate > '2026-10-31');
  }
  // …and there are such decoys, so the matcher's year rule is really exercised.
  assert.ok(decoys.some((d) => d.decoyBy !== 'region' && d.popularity >= catalog.showById.get(d.decoyOf!)!.popularity), 'no year decoy more popular than its real show');
  const offTmdb = catalog.shows.filter((s) => !s.onTmdb).length / catalog.shows.length;
  assert.ok(offTmdb > 0.03 && offTmdb < 0.08, `offTmdb ${offTmdb}`);
  const offRt = catalog.shows.filter((s) => s.rt === null).length / catalog.shows.length;
  assert.ok(offRt > 0.07 && offRt < 0.14, `offRt ${offRt}`);
  assert.ok(catalog.shows.some((s) => s.rt && s.rt.criticsScore === null && s.rt.audienceScore !== null));
  assert.ok(catalog.shows.some((s) => s.rt && s.rt.audienceScore === null && s.rt.criticsScore !== null));
  assert.equal(new Set(catalog.shows.filter((s) => s.rt).map((s) => s.rt!.slug)).size, catalog.shows.filter((s) => s.rt).length);

  // Shared actors: a handful of stars in many shows; names with diacritics exist.
  const appearances = new Map<number, number>();
  for (const s of catalog.shows) for (const m of s.cast) appearances.set(m.actorId, (appearances.get(m.actorId) ?? 0) + 1);
  const top = [...appearances.values()].sort((a, b) => b - a);
  assert.ok(top[0] >= 50 && top[5] >= 50, `star appearances ${top.slice(0, 6).join(',')}`);
  assert.ok(catalog.actors.some((a) => normalizeTitle(a.name) !== a.name.toLowerCase() && /[^ -~]/.test(a.name)));
});

test('catalog title variety: colons, diacritics, region tags, all season label kinds', () => {
  const shows = catalog.shows;
  assert.ok(shows.some((s) => s.name.includes(':')));
  assert.ok(shows.some((s) => /[^ -~]/.test(s.name)));
  assert.ok(shows.some((s) => s.netflixName.endsWith(' (U.S.)')));
  assert.ok(shows.some((s) => s.netflixName !== s.name && !s.netflixName.includes('(')), 'case/diacritic/punctuation variants');
  const labels = new Set(shows.flatMap((s) => s.seasons.map((x) => x.label.replace(/\d+|One|Two|Three/, 'N'))));
  for (const kind of ['Season N', 'Limited Series', 'Part N', 'Volume N', 'Book N', 'Collection']) assert.ok(labels.has(kind), kind);
  const episodes = shows.flatMap((s) => s.seasons.flatMap((x) => x.episodes));
  assert.ok(episodes.some((e) => /^Episode \d+$/.test(e)));
  assert.ok(episodes.some((e) => e.includes(':')));
  assert.ok(catalog.films.length > 50);
});

test('data keys parse', () => {
  assert.deepEqual(parseDataKey('demo-small'), { size: 300, clean: false, base: 'demo-small' });
  assert.equal(parseDataKey('demo-10k')?.size, 10_000);
  assert.equal(parseDataKey('demo-10k-clean')?.clean, true);
  assert.equal(parseDataKey('demo-1234')?.size, 1234);
  assert.equal(parseDataKey('demo-200k')?.size, 200_000);
  for (const bad of ['demo-0', 'demo-201k', 'demo-200001', 'demo-', 'demo-01', 'demo-1m', 'nope', '', 'demo-small-dirty']) {
    assert.equal(parseDataKey(bad), null, bad);
    assert.equal(historyFor(bad), null, bad);
  }
  assert.ok(DEMO_DATA_KEYS.every((k) => parseDataKey(k.key)?.size === k.activities));
});

test('histories are deterministic, newest first, with unique ids', () => {
  const a = historyFor('demo-1k')!;
  assert.equal(historyFor('demo-1k'), a, 'memoised');
  clearHistoryCache();
  const b = historyFor('demo-1k')!;
  assert.notEqual(a, b);
  assert.deepEqual(a, b);
  assert.notDeepEqual(historyFor('demo-1000')!.map((x) => x.title), a.map((x) => x.title));
  assert.equal(a.length, 1000);
  assert.equal(new Set(a.map((x) => x.id)).size, a.length);
  const times = a.filter((x) => isRealDate(x.date)).map((x) => {
    const [m, d, y] = x.date.split('/').map(Number);
    return Date.UTC(y, m - 1, d);
  });
  for (let i = 1; i < times.length; i++) assert.ok(times[i] <= times[i - 1], 'newest first');
  assert.equal(a[0].date, '10/31/2026');
  const years = (times[0] - times[times.length - 1]) / (365.25 * 86_400_000);
  assert.ok(years >= 2.9 && years <= 6.1, `span ${years}`);
});

test('distinct shows grow sublinearly', () => {
  const counts = { small: distinctShows(historyFor('demo-small')!), k1: distinctShows(historyFor('demo-1k')!), k10: distinctShows(historyFor('demo-10k')!), k100: distinctShows(historyFor('demo-100k')!) };
  assert.equal(historyFor('demo-small')!.length, 300);
  assert.ok(counts.k1 >= 60 && counts.k1 <= 90, `1k: ${counts.k1}`);
  assert.ok(counts.k10 >= 300 && counts.k10 <= 450, `10k: ${counts.k10}`);
  assert.ok(counts.k100 >= 1200 && counts.k100 <= 1800, `100k: ${counts.k100}`);
});

test('history title variety and realism', () => {
  const h = historyFor('demo-10k')!;
  const kinds = new Set<string>();
  let films = 0;
  for (const a of h) {
    const m = SEASON_RE.exec(a.title);
    if (m) kinds.add(m[1].replace(/\d+|One|Two|Three/, 'N'));
    else {
      films++;
      assert.equal(a.showId, undefined);
    }
    if (a.showId !== undefined) {
      const show = catalog.showById.get(a.showId)!;
      assert.ok(a.title.startsWith(`${show.netflixName}: `));
      assert.equal(show.decoyOf, undefined, 'decoys never appear in histories');
      // Watched only after the show first aired.
      if (isRealDate(a.date)) {
        const [mo, d, y] = a.date.split('/').map(Number);
        assert.ok(Date.UTC(y, mo - 1, d) >= Date.parse(show.firstAirDate));
      }
    }
  }
  for (const kind of ['Season N', 'Limited Series', 'Part N', 'Volume N', 'Book N', 'Collection']) assert.ok(kinds.has(kind), kind);
  assert.ok(films / h.length > 0.015 && films / h.length < 0.06, `films ${films}`);
  const shows = [...new Set(h.map((a) => a.showId).filter((x) => x !== undefined))].map((id) => catalog.showById.get(id!)!);
  assert.ok(shows.some((s) => s.name.includes(':')), 'colon show names');
  assert.ok(shows.some((s) => / \(U\.[SK]\.\)$/.test(s.netflixName)), 'region tags');
  assert.ok(shows.some((s) => catalog.shows.some((d) => d.decoyOf === s.id)), 'a show with a TMDB decoy');
  assert.ok(shows.some((s) => !s.onTmdb), 'a show missing from TMDB');
  assert.ok(shows.some((s) => s.rt === null), 'a show missing from RT');
  // Rewatches: same episode title on another date.
  const seen = new Map<string, string>();
  let rewatches = 0;
  for (const a of h) {
    if (a.showId === undefined) continue;
    const prev = seen.get(a.title);
    if (prev !== undefined && prev !== a.date) rewatches++;
    seen.set(a.title, a.date);
  }
  assert.ok(rewatches / h.length > 0.02 && rewatches / h.length < 0.1, `rewatches ${rewatches}`);
});

test('impossible dates: in demo-10k, none in demo-10k-clean or demo-small', () => {
  const dirty = historyFor('demo-10k')!;
  const clean = historyFor('demo-10k-clean')!;
  const bad = dirty.filter((a) => !isRealDate(a.date));
  assert.ok(bad.length >= 3 && bad.length <= 40, `bad dates ${bad.length}`);
  assert.ok(bad.every((a) => /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(a.date)), 'still M/D/YYYY shaped');
  assert.equal(clean.filter((a) => !isRealDate(a.date)).length, 0);
  assert.equal(historyFor('demo-small')!.filter((a) => !isRealDate(a.date)).length, 0);
  assert.ok(historyFor('demo-1k')!.some((a) => !isRealDate(a.date)));
  // The clean twin is the same viewer, bad dates aside.
  assert.deepEqual(clean.map((a) => a.title), dirty.map((a) => a.title));
});
