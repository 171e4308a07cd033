// Share links, card images and the QR hand-off (issue 12): what each card says (every story card,
// old and provisional reports, missing sections), the image cache, then the routes over a real
// database with a Temporal client that never connects (every session here has its row, so no
// route reaches Temporal): signed links and every way to break one, revocation, the public page's
// preview tags and escaping, the 1200×630 PNG and its caching, another session's viewer token,
// and the hand-off link.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../src/api/app.js';
import { cardElement, renderCardPng } from '../../src/api/share/cardImage.js';
import { type CardText, cardDescription, cardText, clip } from '../../src/api/share/cardText.js';
import { ImageCache } from '../../src/api/share/imageCache.js';
import { escapeHtml } from '../../src/api/share/sharePage.js';
import { ShareLinks } from '../../src/api/share/shareLinks.js';
import { loadConfig } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { type CardCoverage, type Report, STORY_CARDS, type StoryCard } from '../../src/domain/report.js';
import { createTestDatabase } from '../support/db.js';
import { bearer, testSecurity } from '../support/servedApp.js';

// ─── A report to share ───────────────────────────────────────────────────────────────────────────

const coverage = (complete: boolean, label = 'From all 28 shows'): Record<StoryCard, CardCoverage> =>
  Object.fromEntries(STORY_CARDS.map((card) => [card, { complete, done: complete ? 28 : 12, total: 28, label }])) as Record<StoryCard, CardCoverage>;

function sampleReport(sessionId: string, overrides: Partial<Report> = {}): Report {
  return {
    sessionId,
    version: 1,
    final: true,
    generatedAt: '2026-01-02T03:04:05.000Z',
    coverage: coverage(true),
    firstShow: { name: 'The Copper Ashes', date: '2021-01-10' },
    mostWatchedShow: { name: 'Hawkstead', watched: 42, total: 226, summary: 'You watched 42 of 226 episodes' },
    totalShows: 28,
    totalEpisodes: 1234,
    films: 3,
    topShows: [
      { name: 'Hawkstead', episodes: 42, totalEpisodes: 226 },
      { name: 'Off-Road', episodes: 30, totalEpisodes: 40 },
      { name: 'The Copper Ashes', episodes: 1, totalEpisodes: 8 },
    ],
    crossoverStar: { name: 'Barbara Mensah', imageUrl: 'https://image.tmdb.org/t/p/w500/x.jpg', showCount: 5, shows: ['Hawkstead', 'Off-Road', 'Lantern', 'Quay', 'Ember'] },
    genres: [
      { name: 'Drama', share: 22.4 },
      { name: 'Sci-Fi & Fantasy', share: 14.1 },
      { name: 'Crime', share: 12 },
      { name: 'Comedy', share: 9 },
      { name: 'Kids', share: 1 },
    ],
    rtScore: { score: 81.6, band: 'Certified Fresh', showsScored: 16, critics: { mean: 77.6, shows: 15 }, audience: { mean: 63.5, shows: 18 } },
    bff: { name: 'Noah Scott', show: 'Off-Road', quip: 'Noah would drive you anywhere.', imageUrl: null },
    starSign: { sign: 'Gemini', quip: 'Two shows at once, always.' },
    personality: { name: 'Escape Artist', quip: 'Any world but this one.' },
    firstShowQuip: 'Where the ashes first glowed.',
    mostWatchedShowQuip: 'Hawkstead is home.',
    rtScoreQuip: 'The critics agree with you.',
    topGenresQuip: 'Drama, with a side of dragons.',
    aiSources: {},
    dataQuality: {
      invalidDates: 0,
      invalidDateSamples: [],
      showsNotOnTmdb: 0,
      showsNotOnRt: 3,
      showsFailed: 0,
      unresolvedFailures: 0,
      rtUnavailable: false,
      crawlComplete: true,
    },
    ...overrides,
  };
}

/** Everything a report can lack: a provisional one early on, before the AI and the crawl. */
const emptyReport = (sessionId: string): Report =>
  sampleReport(sessionId, {
    final: false,
    coverage: coverage(false, 'From 12 of 28 shows so far'),
    firstShow: null,
    mostWatchedShow: null,
    totalShows: 0,
    totalEpisodes: 0,
    films: 0,
    topShows: [],
    crossoverStar: null,
    genres: [],
    rtScore: null,
    bff: null,
    starSign: null,
    personality: null,
    firstShowQuip: null,
    mostWatchedShowQuip: null,
    rtScoreQuip: null,
    topGenresQuip: null,
  });

const allText = (t: CardText) => [t.eyebrow, t.title, ...t.lines, ...t.bars.map((b) => b.label), t.badge ?? ''].join('\n');

// ─── cardText ────────────────────────────────────────────────────────────────────────────────────

describe('what each card says', () => {
  const full = sampleReport('session-full-0001');
  const expected: Record<StoryCard, { title: string | RegExp; mentions: string[] }> = {
    overview: { title: '28 shows', mentions: ['1,234 episodes', '3 films'] },
    firstShow: { title: 'The Copper Ashes', mentions: ['10 January 2021', 'Where the ashes first glowed.'] },
    mostWatched: { title: 'Hawkstead', mentions: ['watched 42 of 226 episodes', 'Hawkstead is home.'] },
    topShows: { title: /Can.t stop/, mentions: ['#1 Hawkstead · 42 episodes', '#2 Off-Road · 30 episodes', '#3 The Copper Ashes · 1 episode'] },
    crossoverStar: { title: 'Barbara Mensah', mentions: ['Turns up in 5 of your shows', 'Hawkstead · Off-Road · Lantern · Quay and 1 more'] },
    genres: { title: 'Mostly Drama', mentions: ['Drama 22%', 'Comedy 9%', 'Drama, with a side of dragons.'] },
    rtTaste: { title: 'Critics’ darling', mentions: ['Critics 78 · Audience 64', 'Taste score 82, weighted by watch time across 16 scored shows', 'The critics agree with you.'] },
    bff: { title: 'Noah Scott', mentions: ['from Off-Road', 'Noah would drive you anywhere.'] },
    starSign: { title: 'Gemini', mentions: ['Two shows at once, always.'] },
    personality: { title: 'Escape Artist', mentions: ['Any world but this one.'] },
    summary: { title: 'Escape Artist', mentions: ['Gemini · Mostly Drama · Critics’ darling', '28 shows · 1,234 episodes', 'Best friend: Noah Scott from Off-Road'] },
  };

  test('the table covers every story card', () => {
    assert.deepEqual(Object.keys(expected).sort(), [...STORY_CARDS].sort());
  });

  for (const card of STORY_CARDS) {
    test(`${card}: a complete report`, () => {
      const t = cardText(full, card);
      assert.equal(t.card, card);
      assert.ok(t.eyebrow.length > 0);
      if (typeof expected[card].title === 'string') assert.equal(t.title, expected[card].title);
      else assert.match(t.title, expected[card].title);
      const text = allText(t);
      for (const m of expected[card].mentions) assert.ok(text.includes(m), `${card} lacks ${JSON.stringify(m)}: ${text}`);
      assert.equal(t.badge, null, 'a complete card has no badge');
      assert.ok(!text.includes(full.sessionId));
      // Nothing of another card's section: the crossover star's name is only on its own card.
      if (card !== 'crossoverStar') assert.ok(!text.includes('Barbara Mensah'), `${card} tells the crossover star`);
    });

    test(`${card}: a provisional report with nothing in it yet`, () => {
      const t = cardText(emptyReport('session-empty-0001'), card);
      assert.ok(t.title.length > 0 && t.eyebrow.length > 0, card);
      assert.equal(t.badge, 'From 12 of 28 shows so far');
      assert.ok(!allText(t).includes('null') && !allText(t).includes('undefined'), allText(t));
    });

    test(`${card}: a report stored before versions (no coverage, no final)`, () => {
      const old = sampleReport('session-old-0001') as Partial<Report>;
      delete old.coverage;
      delete old.final;
      delete old.version;
      const t = cardText(old as Report, card);
      assert.equal(t.badge, null);
      assert.ok(t.title.length > 0);
    });
  }

  test('missing sections say so: no BFF, no star sign yet (with its coverage label), none at all', () => {
    const r = sampleReport('s1', { bff: null, starSign: null, final: false, coverage: { ...coverage(true), starSign: { complete: false, done: 200, total: 341, label: 'Star sign after 97% of shows: 200 of 341' } } });
    const bff = cardText(r, 'bff');
    assert.equal(bff.title, 'Still to meet');
    assert.equal(bff.badge, null, 'the BFF card itself is complete');
    const sign = cardText(r, 'starSign');
    assert.equal(sign.title, 'Still reading the stars');
    assert.equal(sign.badge, 'Star sign after 97% of shows: 200 of 341');
    assert.ok(!cardText(r, 'summary').lines.some((l) => l.includes('Best friend')));
    // A final report without a sign: it is not coming.
    const done = cardText(sampleReport('s1', { starSign: null }), 'starSign');
    assert.equal(done.title, 'The stars are shy');
    assert.equal(done.badge, null);
    // A provisional report stored without coverage still says it may change.
    const provisional = sampleReport('s1', { final: false }) as Partial<Report>;
    delete provisional.coverage;
    assert.equal(cardText(provisional as Report, 'genres').badge, 'Still counting');
    assert.equal(cardText(provisional as Report, 'starSign').title, 'Gemini');
    // RT unreachable reads differently from nothing scored.
    assert.match(cardText(sampleReport('s1', { rtScore: null, dataQuality: { ...r.dataQuality, rtUnavailable: true } }), 'rtTaste').lines[0], /could not be reached/);
    assert.match(cardText(sampleReport('s1', { rtScore: null }), 'rtTaste').lines[0], /None of your shows/);
  });

  test('RT taste sets critics against audience in the lines the images draw; a side nobody scored is left out, never a 0', () => {
    const full = sampleReport('s1');
    assert.deepEqual(cardText(full, 'rtTaste').lines.slice(0, 3), [
      'You and the critics agree: you watch what they rave about.',
      'Critics 78 · Audience 64',
      'The critics agree with you.',
    ]);
    const rt = full.rtScore!;
    assert.equal(cardText(sampleReport('s1', { rtScore: { ...rt, audience: null } }), 'rtTaste').lines[1], 'Critics 78');
    assert.equal(cardText(sampleReport('s1', { rtScore: { ...rt, critics: { mean: 0, shows: 0 } } }), 'rtTaste').lines[1], 'Audience 64');
    // A report stored before the means were kept: no side line at all.
    const old = cardText(sampleReport('s1', { rtScore: { score: 81.6, band: 'Certified Fresh', showsScored: 16 } }), 'rtTaste');
    assert.ok(!/Critics \d|Audience/.test(old.lines.join('\n')), old.lines.join('\n'));
    for (const t of [old, cardText(full, 'rtTaste')]) assert.ok(!/(^|\D)0(\D|$)/.test(t.lines.join('\n')), `a bare 0: ${t.lines.join(' / ')}`);
  });

  test('long text is clipped at a code point, with an ellipsis', () => {
    const t = cardText(sampleReport('s1', { mostWatchedShow: { name: `${'🎬'.repeat(100)}`, watched: 1, total: null, summary: 'x' }, mostWatchedShowQuip: 'x'.repeat(500) }), 'mostWatched');
    assert.equal(Array.from(t.title).length, 70);
    assert.ok(t.title.endsWith('…'));
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(t.title), 'a lone surrogate');
    assert.equal(t.lines[0], '1 episode watched', 'a show of unknown length: no "of ?"');
    assert.equal(Array.from(t.lines[1]).length, 160);
    assert.equal(clip('  short  ', 10), 'short');
    assert.ok(cardDescription(t).length <= 200);
  });

  test('the image draws text and shapes only: no image element, no address to fetch', () => {
    for (const card of STORY_CARDS) {
      const tree = JSON.stringify(cardElement(cardText(full, card)));
      assert.ok(!tree.includes('"type":"img"') && !tree.includes('http') && !tree.includes('url('), `${card}: ${tree.slice(0, 300)}`);
    }
  });

  test('every card of a full and of an empty report renders as a 1200×630 PNG', async () => {
    for (const report of [full, emptyReport('s2')]) {
      for (const card of STORY_CARDS) assert.deepEqual(pngSize(await renderCardPng(cardText(report, card))), { width: 1200, height: 630 }, card);
    }
  });
});

// ─── The image cache ─────────────────────────────────────────────────────────────────────────────

describe('the image cache', () => {
  const key = (sessionId: string, version = 1) => ({ sessionId, card: 'overview', version, epoch: 0 });
  const png = (n: number, fill = 1) => async () => Buffer.alloc(n, fill);

  test('renders once per key, also when asked twice at once; another version is another entry', async () => {
    const cache = new ImageCache();
    let renders = 0;
    const render = async () => {
      renders++;
      await new Promise((r) => setTimeout(r, 20));
      return Buffer.from('image');
    };
    const [a, b] = await Promise.all([cache.getOrRender(key('s'), render), cache.getOrRender(key('s'), render)]);
    assert.equal(renders, 1);
    assert.equal(a.etag, b.etag);
    await cache.getOrRender(key('s'), render);
    assert.equal(renders, 1);
    await cache.getOrRender(key('s', 2), render);
    assert.equal(renders, 2);
  });

  test('bounded by bytes and entries, least recently used first; a failed render is not kept', async () => {
    const cache = new ImageCache(250, 3);
    await cache.getOrRender(key('a'), png(100));
    await cache.getOrRender(key('b'), png(100));
    await cache.getOrRender(key('a'), png(100, 9)); // a is now the most recent
    await cache.getOrRender(key('c'), png(100));
    assert.deepEqual(cache.size, { entries: 2, bytes: 200 });
    let rendered = false;
    await cache.getOrRender(key('a'), async () => ((rendered = true), Buffer.alloc(100)));
    assert.equal(rendered, false, 'a was evicted instead of b');
    for (const s of ['d', 'e', 'f']) await cache.getOrRender(key(s), png(10));
    assert.ok(cache.size.entries <= 3);
    await assert.rejects(cache.getOrRender(key('g'), () => Promise.reject(new Error('boom'))));
    await cache.getOrRender(key('g'), png(1));
  });

  test('a session’s entries go at once', async () => {
    const cache = new ImageCache();
    await cache.getOrRender(key('gone'), png(10));
    await cache.getOrRender(key('gone', 2), png(10));
    await cache.getOrRender(key('kept'), png(10));
    cache.dropSession('gone');
    assert.deepEqual(cache.size, { entries: 1, bytes: 10 });
  });
});

// ─── Over HTTP ───────────────────────────────────────────────────────────────────────────────────

function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

interface Served {
  url: string;
  close(): Promise<void>;
}

async function serve(db: Db, client: Client, security: ReturnType<typeof testSecurity>, publicUrl?: string): Promise<Served> {
  const app = createApp({ client, db, taskQueue: 'unused', settings: loadConfig({}).pipeline, security, publicUrl });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('over HTTP', () => {
  const security = testSecurity();
  const operator = () => bearer(security.apiKeys[0]);
  const viewerOf = (sessionId: string) => bearer(security.viewerTokens.issue(sessionId).token);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let connection: Connection;
  let served: Served;
  let proxied: Served;
  const ids = { a: 'share-session-a', b: 'share-session-b', hostile: 'share-session-hostile', early: 'share-session-early', gone: 'share-session-gone' };

  const addSession = (id: string, state: 'COMPLETED' | 'PROCESSING' = 'COMPLETED') =>
    database.db.insertInto('sessions').values({ id, workflow_id: `session-${id}`, data_source: 'NETFLIX', state }).execute();
  const addVersion = (report: Report) =>
    database.db
      .insertInto('report_versions')
      .values({ session_id: report.sessionId, version: report.version, final: report.final, report: JSON.stringify(report), created_at: report.generatedAt })
      .execute();

  before(async () => {
    database = await createTestDatabase();
    connection = Connection.lazy({ address: '127.0.0.1:1' });
    const client = new Client({ connection });
    served = await serve(database.db, client, security);
    proxied = await serve(database.db, client, security, 'https://showprint.example/');
    for (const id of Object.values(ids)) await addSession(id, id === ids.early ? 'PROCESSING' : 'COMPLETED');
    await addVersion(sampleReport(ids.a));
    await addVersion(sampleReport(ids.b, { mostWatchedShow: { name: 'Only On B', watched: 3, total: 9, summary: 'B watched 3 of 9' }, mostWatchedShowQuip: 'B is home.' }));
    await addVersion(sampleReport(ids.gone));
    await addVersion(
      sampleReport(ids.hostile, {
        firstShow: { name: '<script>alert(1)</script>', date: '2021-01-10' },
        firstShowQuip: `"><img src=x onerror=alert(2)> & 'quoted'`,
      }),
    );
  });

  after(async () => {
    await served?.close();
    await proxied?.close();
    await connection?.close().catch(() => undefined);
    await database?.close();
  });

  type Links = Record<StoryCard, { url: string; imageUrl: string }>;
  async function makeLinks(sessionId: string, headers = viewerOf(sessionId), base = served.url): Promise<Links> {
    const res = await fetch(`${base}/api/sessions/${sessionId}/share-links`, { method: 'POST', headers });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return ((await res.json()) as { links: Links }).links;
  }
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
  const tokenOf = (url: string) => new URL(url).pathname.split('/')[2];
  const withToken = (token: string) => `${served.url}/share/${token}`;
  const metaOf = (html: string) => Object.fromEntries([...html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g)].map((m) => [m[1], m[2]]));

  test('links for every card, absolute, that open their card; page and image alike', async () => {
    const links = await makeLinks(ids.a);
    assert.deepEqual(Object.keys(links), [...STORY_CARDS]);
    for (const card of STORY_CARDS) {
      const { url, imageUrl } = links[card];
      const token = tokenOf(url);
      assert.equal(url, `${served.url}/share/${token}`);
      assert.equal(imageUrl, `${url}/image.png`);
      const [encodedId, namedCard, mac] = token.split('.');
      assert.equal(Buffer.from(encodedId, 'base64url').toString(), ids.a);
      assert.equal(namedCard, card);
      assert.ok(Buffer.from(mac, 'base64url').length >= 16, 'at least 128 bits of MAC');
      const page = await get(url);
      assert.equal(page.status, 200, card);
      const html = await page.text();
      assert.ok(html.includes(escapeHtml(cardText(sampleReport(ids.a), card).title)), `${card}: ${html.slice(0, 400)}`);
    }
    // Publishing is the viewer's own: an operator key, even one with every scope, makes none.
    const byOperator = await fetch(`${served.url}/api/sessions/${ids.a}/share-links`, { method: 'POST', headers: operator() });
    assert.equal(byOperator.status, 403);
    assert.ok(!(await byOperator.text()).includes('/share/'));
  });

  test('a tampered token is 404, part by part, and every dead link answers alike', async () => {
    const links = await makeLinks(ids.a);
    const good = tokenOf(links.genres.url);
    const [encodedId, card, mac] = good.split('.');
    const bLinks = await makeLinks(ids.b);
    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    assert.equal(B64URL.indexOf(mac[mac.length - 1]) % 16, 0, 'a 16-byte MAC leaves the last character’s low 4 bits unused');
    const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`;
    const bad: Record<string, string> = {
      'another session, same card and MAC': `${Buffer.from(ids.b).toString('base64url')}.${card}.${mac}`,
      'another card, same MAC': `${encodedId}.bff.${mac}`,
      'an unknown card': `${encodedId}.secrets.${mac}`,
      'the MAC, first character': `${encodedId}.${card}.${flip(mac, 0)}`,
      'the MAC, last character': `${encodedId}.${card}.${flip(mac, mac.length - 1)}`,
      // 22 characters carry 132 bits for a 128-bit MAC: a spelling that differs only there is not the link.
      'the MAC, unused low bits': `${encodedId}.${card}.${mac.slice(0, -1)}${B64URL[B64URL.indexOf(mac[mac.length - 1]) + 1]}`,
      'the MAC, shortened': `${encodedId}.${card}.${mac.slice(0, -1)}`,
      'the MAC, lengthened': `${encodedId}.${card}.${mac}A`,
      "B's MAC on A": `${encodedId}.${card}.${tokenOf(bLinks.genres.url).split('.')[2]}`,
      'the session, one character': `${flip(encodedId, 2)}.${card}.${mac}`,
      'the session, padded': `${encodedId}=.${card}.${mac}`,
      'no card': `${encodedId}..${mac}`,
      'garbage': 'not-a-share-token',
    };
    const pageAnswers = new Set<string>();
    for (const [what, token] of Object.entries(bad)) {
      assert.notEqual(token, good, what);
      const page = await get(withToken(encodeURIComponent(token)));
      assert.equal(page.status, 404, what);
      assert.equal(page.headers.get('x-robots-tag'), 'noindex');
      pageAnswers.add(await page.text());
      const image = await get(`${withToken(encodeURIComponent(token))}/image.png`);
      assert.equal(image.status, 404, `${what} (image)`);
      assert.deepEqual((await image.json()) as unknown, { error: { code: 'not_found', message: 'No such shared card' } });
    }
    assert.equal(pageAnswers.size, 1, 'every dead link has the same page');
    assert.ok(![...pageAnswers][0].includes(ids.a));
    // The good one still works, and B's links open B's card, not A's.
    assert.equal((await get(withToken(good))).status, 200);
    const bPage = await (await get(bLinks.mostWatched.url)).text();
    assert.ok(bPage.includes('Only On B') && !bPage.includes('Hawkstead'));
  });

  test('a token signed with another key, or a viewer token, is not a share link; a share token is not a credential', async () => {
    const foreign = new ShareLinks(database.db, testSecurity().viewerTokens.derivedKey('share-links'));
    assert.equal((await get(withToken(foreign.token(ids.a, 'overview', 0)))).status, 404);
    assert.equal((await get(withToken(security.viewerTokens.issue(ids.a).token))).status, 404);
    const ours = new ShareLinks(database.db, security.viewerTokens.derivedKey('share-links'));
    assert.equal((await get(withToken(ours.token(ids.a, 'overview', 0)))).status, 200, 'the test signs as the app does');
    const share = tokenOf((await makeLinks(ids.a)).overview.url);
    assert.equal((await get(`${served.url}/api/sessions/${ids.a}/report`, bearer(share))).status, 401);
    assert.equal((await get(`${served.url}/api/sessions/${ids.a}/report`, { cookie: `sp_viewer=${share}` })).status, 401);
  });

  test('revoking kills every earlier link; new links work afterwards', async () => {
    const first = await makeLinks(ids.b);
    const image = await get(first.overview.imageUrl);
    assert.equal(image.status, 200);
    const revoke = (headers: Record<string, string>) => fetch(`${served.url}/api/sessions/${ids.b}/share-links`, { method: 'DELETE', headers });
    const res = await revoke(viewerOf(ids.b));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { revoked: true, epoch: 1 });
    for (const card of STORY_CARDS) {
      assert.equal((await get(first[card].url)).status, 404, card);
      assert.equal((await get(first[card].imageUrl)).status, 404, `${card} image`);
    }
    const second = await makeLinks(ids.b);
    assert.notEqual(second.overview.url, first.overview.url);
    assert.equal((await get(second.overview.url)).status, 200);
    assert.equal((await get(second.overview.imageUrl)).status, 200);
    const row = await database.db.selectFrom('share_link_epochs').selectAll().where('session_id', '=', ids.b).executeTakeFirstOrThrow();
    assert.equal(row.epoch, 1);
    assert.ok(row.revoked_at instanceof Date);
    // Again, by an operator: the next epoch; the second set dies too, the first stays dead.
    assert.deepEqual(await (await revoke(operator())).json(), { revoked: true, epoch: 2 });
    assert.equal((await get(second.overview.url)).status, 404);
    assert.equal((await get(first.overview.url)).status, 404);
    // A's links are untouched by B's revocation.
    assert.equal((await get((await makeLinks(ids.a)).overview.url)).status, 200);
  });

  test('no report yet: 409 not_ready, and no link of it opens; an erased session’s links are 404', async () => {
    const res = await fetch(`${served.url}/api/sessions/${ids.early}/share-links`, { method: 'POST', headers: viewerOf(ids.early) });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_ready');
    const signer = new ShareLinks(database.db, security.viewerTokens.derivedKey('share-links'));
    assert.equal((await get(withToken(signer.token(ids.early, 'overview', 0)))).status, 404);

    const links = await makeLinks(ids.gone);
    assert.equal((await get(links.personality.imageUrl)).status, 200);
    // What forget does to the rows (report versions and epochs go with the session).
    await database.db.deleteFrom('sessions').where('id', '=', ids.gone).execute();
    assert.equal((await get(links.personality.url)).status, 404);
    assert.equal((await get(links.personality.imageUrl)).status, 404, 'the cached image is not served after forget');
  });

  test('the page: preview tags with absolute URLs, everything escaped, nothing else of the session, not indexed or cached', async () => {
    const links = await makeLinks(ids.hostile);
    const url = links.firstShow.url;
    const res = await get(url);
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-robots-tag'), 'noindex');
    assert.match(String(res.headers.get('content-security-policy')), /default-src 'none'/);
    const html = await res.text();
    assert.ok(!html.includes('<script'), 'an unescaped <script');
    // The one image is the card's own story image (the landing page shows it large); no other.
    assert.deepEqual(html.match(/<img[^>]*/g)?.map((tag) => tag.slice(0, tag.indexOf(' width'))), [`<img src="${url}/story.png"`], 'an unescaped <img');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &#39;quoted&#39;'));
    assert.ok(!html.includes(ids.hostile), 'the session id is in the page');
    for (const other of ['Hawkstead', 'Barbara Mensah', 'Gemini', 'Escape Artist', 'Noah Scott']) assert.ok(!html.includes(other), `the page tells ${other}`);

    const meta = metaOf(html);
    assert.equal(meta['og:url'], url);
    assert.equal(meta['og:image'], links.firstShow.imageUrl);
    assert.equal(meta['og:image:width'], '1200');
    assert.equal(meta['og:image:height'], '630');
    assert.equal(meta['og:type'], 'website');
    assert.equal(meta['og:title'], 'Where it all began: &lt;script&gt;alert(1)&lt;/script&gt;');
    assert.ok(meta['og:description'].includes('10 January 2021'));
    assert.equal(meta['twitter:card'], 'summary_large_image');
    assert.equal(meta['twitter:image'], links.firstShow.imageUrl);
    for (const key of ['og:url', 'og:image', 'twitter:image']) assert.match(meta[key], /^http:\/\/127\.0\.0\.1:\d+\/share\//, key);
    assert.ok(html.includes(`href="${served.url}/"`), 'a link home');
    assert.ok(!/https?:\/\/(?!127\.0\.0\.1)/.test(html), 'nothing remote');
  });

  test('with PUBLIC_URL, links and preview tags name it', async () => {
    const links = await makeLinks(ids.a, viewerOf(ids.a), proxied.url);
    assert.match(links.rtTaste.url, /^https:\/\/showprint\.example\/share\/[^/]+$/);
    const meta = metaOf(await (await get(`${proxied.url}${new URL(links.rtTaste.url).pathname}`)).text());
    assert.equal(meta['og:url'], links.rtTaste.url);
    assert.equal(meta['og:image'], links.rtTaste.imageUrl);
  });

  test('the image: a 1200×630 PNG, cached per report version, with an ETag and a download name', async () => {
    const links = await makeLinks(ids.a);
    const first = await get(links.mostWatched.imageUrl);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'image/png');
    assert.equal(first.headers.get('content-disposition'), null);
    const png = Buffer.from(await first.arrayBuffer());
    assert.deepEqual(pngSize(png), { width: 1200, height: 630 });
    const etag = String(first.headers.get('etag'));
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);

    const second = await get(links.mostWatched.imageUrl);
    assert.equal(second.headers.get('etag'), etag);
    assert.ok(png.equals(Buffer.from(await second.arrayBuffer())));
    // (fetch adds Cache-Control: no-cache to a conditional request unless it has one.)
    assert.equal((await get(links.mostWatched.imageUrl, { 'if-none-match': etag, 'cache-control': 'max-age=0' })).status, 304);

    const download = await get(`${links.mostWatched.imageUrl}?download=1`);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="showprint-mostWatched.png"');
    assert.equal(download.headers.get('etag'), etag);

    // A new version: the same link now shows it, as another image.
    await addVersion(sampleReport(ids.a, { version: 2, mostWatchedShow: { name: 'Version Two Show', watched: 50, total: 226, summary: 'You watched 50 of 226 episodes' } }));
    const newer = await get(links.mostWatched.imageUrl);
    assert.equal(newer.status, 200);
    assert.notEqual(newer.headers.get('etag'), etag);
    const newerPng = Buffer.from(await newer.arrayBuffer());
    assert.deepEqual(pngSize(newerPng), { width: 1200, height: 630 });
    assert.ok(!newerPng.equals(png));
    assert.ok((await (await get(links.mostWatched.url)).text()).includes('Version Two Show'));
    // Another card of the same version is another image.
    assert.notEqual((await get(links.overview.imageUrl)).headers.get('etag'), newer.headers.get('etag'));
  });

  test('the story image: 1080×1920 from the same link, cached apart from the preview; the share page shows it large', async () => {
    const links = await makeLinks(ids.a);
    const story = links.genres.imageUrl.replace(/\/image\.png$/, '/story.png');
    const res = await get(story);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual(pngSize(Buffer.from(await res.arrayBuffer())), { width: 1080, height: 1920 });
    assert.notEqual(res.headers.get('etag'), (await get(links.genres.imageUrl)).headers.get('etag'));
    assert.equal((await get(`${story}?download=1`)).headers.get('content-disposition'), 'attachment; filename="showprint-genres-story.png"');
    // A landing page: the card large (with its words as alt text), what showprint is, a way in.
    const html = await (await get(links.genres.url)).text();
    assert.match(html, new RegExp(`<img src="${story.replace(/[.?]/g, '\\$&')}" width="1080" height="1920" alt="Your genre mix: Mostly Drama[^"]*">`));
    assert.match(html, /showprint turns a Netflix watch history into a story/);
    assert.match(html, /<a class="cta" href="[^"]+\/">Make your own<\/a>/);
    // A bad token is the same 404 as for the preview.
    assert.equal((await get(`${new URL(links.genres.url).origin}/share/not-a-token/story.png`)).status, 404);
  });

  test("another session's viewer token is 404 on the share and hand-off routes; no credential is 401", async () => {
    const routes = [
      ['POST', `/api/sessions/${ids.a}/share-links`],
      ['DELETE', `/api/sessions/${ids.a}/share-links`],
      ['POST', `/api/sessions/${ids.a}/handoff`],
    ] as const;
    for (const [method, path] of routes) {
      const res = await fetch(`${served.url}${path}`, { method, headers: viewerOf(ids.b) });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(await res.json(), { error: { code: 'not_found', message: `No session ${ids.a}` } });
      assert.equal((await fetch(`${served.url}${path}`, { method })).status, 401, `${method} ${path} without a credential`);
    }
    // A's links still work: B's attempt to revoke them did nothing.
    const epoch = await database.db.selectFrom('share_link_epochs').select('epoch').where('session_id', '=', ids.a).executeTakeFirst();
    assert.equal(epoch, undefined);
  });

  test('hand-off: a one-time link to the session as a URL and a QR code, for the viewer only', async () => {
    const res = await fetch(`${served.url}/api/sessions/${ids.a}/handoff`, { method: 'POST', headers: viewerOf(ids.a) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as { url: string; qrSvg: string; expiresAt: string };
    const m = /^(.+)\/\?session=([^#]+)#handoff=([A-Za-z0-9_-]{43})$/.exec(body.url);
    assert.ok(m, body.url);
    assert.equal(m[1], served.url);
    assert.equal(decodeURIComponent(m[2]), ids.a);
    assert.ok(new Date(body.expiresAt).getTime() - Date.now() <= 10 * 60_000, 'the link lasts minutes');
    assert.match(body.qrSvg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(body.qrSvg, /<path/);
    // The link's code buys a cookie, once, and the cookie opens the session.
    const redeem = () => fetch(`${served.url}/api/sessions/${ids.a}/handoff/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: m[3] }) });
    const traded = await redeem();
    assert.equal(traded.status, 204);
    const cookie = /^sp_viewer=([^;]+)/.exec(traded.headers.get('set-cookie') ?? '')?.[1] ?? '';
    assert.equal((await get(`${served.url}/api/sessions/${ids.a}/report`, { cookie: `sp_viewer=${cookie}` })).status, 200);
    assert.equal((await redeem()).status, 404);
    // An operator key mints no viewer capability, whatever its scopes.
    assert.equal((await fetch(`${served.url}/api/sessions/${ids.a}/handoff`, { method: 'POST', headers: operator() })).status, 403);
    const proxiedRes = await fetch(`${proxied.url}/api/sessions/${ids.a}/handoff`, { method: 'POST', headers: viewerOf(ids.a) });
    assert.match(((await proxiedRes.json()) as { url: string }).url, /^https:\/\/showprint\.example\/\?session=share-session-a#handoff=/);
  });
});
