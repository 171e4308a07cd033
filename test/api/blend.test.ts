// Blend, end to end over a real stack (Temporal dev server, PostgreSQL, the stand-ins, the LLM stand-in):
// viewer A invites, viewer B accepts with their own token while their session may still run,
// BlendWorkflow waits for both, builds the Blend from stored rows; both read it from their own paths,
// share its cards; outsiders get one 404; revoking an invitation stops acceptance; forgetting
// either session erases the Blend, its share links and its payload key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { ViewerTokens } from '../../src/api/protection/viewerTokens.js';
import { BLEND_CARDS, blendWorkflowId } from '../../src/contracts/blend.js';
import { sessionDigest } from '../../src/temporal/codec/sessionKeys.js';
import type { Report } from '../../src/domain/report.js';
import { testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

const viewerTokens = new ViewerTokens('blend-suite-viewer-token-secret-0123456789', 60 * 60 * 1000);
const KEYS = { read: generateApiKey(), write: generateApiKey() };
let stack: TestStack;
let server: Server;
let url = '';
const S = { A: '', B: '', C: '' };
const T = { A: '', B: '', C: '' };

before(async () => {
  stack = await startTestStack();
  const security = testSecurity({ apiKeys: [stack.apiKey, `${KEYS.read}:read`, `${KEYS.write}:write`], codec: stack.codec, viewerTokens, allowAnonymousSessions: true });
  const app = createApp({ client: stack.client, db: stack.db.db, taskQueue: stack.config.temporal.taskQueue, settings: stack.config.pipeline, security, sessionKeys: stack.sessionKeys, forgetWaitMs: 60_000 });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server?.closeAllConnections();
  await stack?.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

interface Show {
  name: string;
  posterUrl: string | null;
}
/** Every answer the suite reads, as one loose shape (each field is there only on its own route). */
interface Answer {
  sessionId: string;
  viewerToken: string;
  blendId: string;
  role: string;
  state: string;
  report: { matchScore: number; parts: Record<string, number>; sharedShows: Show[]; youShowThem: Show | null; theyShowYou: Show | null; line: string; lineSource: string };
  url: string;
  invitationId: string;
  links: Record<string, { url: string; imageUrl: string; storyUrl: string }>;
  blends: unknown[];
  cards: { card: string; eyebrow: string; title: string; lines: string[] }[];
  receipt: { rowsDeleted: Record<string, number> };
  error: { code: string; message: string };
}

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: Answer;
  try {
    json = JSON.parse(text) as Answer;
  } catch {
    json = {} as Answer;
  }
  return { status: res.status, text, json, headers: res.headers };
}

async function start(dataKey: string) {
  const res = await call('POST', '/api/sessions', auth(stack.apiKey), { dataKey });
  assert.equal(res.status, 202, res.text);
  return res.json;
}

async function waitForBlend(session: string, token: string, blendId: string, timeoutMs = 120_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', `/api/sessions/${session}/blends/${blendId}`, auth(token));
    assert.equal(res.status, 200, res.text);
    if (res.json.state !== 'WAITING') return res.json;
    if (Date.now() > deadline) assert.fail(`the Blend is still waiting: ${res.text}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

let blendId = '';

test('A invites, B accepts with their own token while their session runs, and the Blend comes once both are done', async () => {
  const [a, c] = await Promise.all([start('demo-small'), start('demo-small')]);
  Object.assign(S, { A: a.sessionId, C: c.sessionId });
  Object.assign(T, { A: a.viewerToken, C: c.viewerToken });
  await waitForState({ apiUrl: url, apiKey: stack.apiKey }, S.A, ['COMPLETED']);

  const invite = await call('POST', `/api/sessions/${S.A}/blend-invitations`, auth(T.A));
  assert.equal(invite.status, 201, invite.text);
  const token = /#blend=([A-Za-z0-9_.-]+)$/.exec(invite.json.url)?.[1];
  assert.ok(token, invite.json.url);
  // An operator key cannot invite on a viewer's behalf; A cannot accept their own invitation.
  assert.equal((await call('POST', `/api/sessions/${S.A}/blend-invitations`, auth(stack.apiKey))).status, 403);
  assert.equal((await call('POST', `/api/sessions/${S.A}/blends`, auth(T.A), { invitation: token })).status, 409);

  const b = await start('demo-200');
  Object.assign(S, { B: b.sessionId });
  Object.assign(T, { B: b.viewerToken });
  const accepted = await call('POST', `/api/sessions/${S.B}/blends`, auth(T.B), { invitation: token });
  assert.equal(accepted.status, 202, accepted.text);
  blendId = accepted.json.blendId;
  assert.equal(accepted.headers.get('location'), `/api/sessions/${S.B}/blends/${blendId}`);
  // Accepting again finds the same Blend.
  const again = await call('POST', `/api/sessions/${S.B}/blends`, auth(T.B), { invitation: token });
  assert.equal(again.json.blendId, blendId);
  const sessionB = (await call('GET', `/api/sessions/${S.B}`, auth(T.B))).json;
  if (sessionB.state !== 'COMPLETED') assert.equal((await call('GET', `/api/sessions/${S.B}/blends/${blendId}`, auth(T.B))).json.state, 'WAITING', 'B still runs: the Blend waits');

  const forB = await waitForBlend(S.B, T.B, blendId);
  assert.equal(forB.state, 'COMPLETED', JSON.stringify(forB));
  const forA = await waitForBlend(S.A, T.A, blendId);
  assert.equal(forA.role, 'inviter');
  assert.equal(forB.role, 'invitee');
  const r = forA.report;
  assert.ok(Number.isInteger(r.matchScore) && r.matchScore >= 0 && r.matchScore <= 100, JSON.stringify(r));
  for (const part of ['genres', 'sharedShows', 'rtTaste']) assert.ok(r.parts[part] >= 0 && r.parts[part] <= 100, part);
  assert.ok(r.sharedShows.length <= 5);
  assert.ok(r.line.length > 0 && r.line.length <= 140);
  assert.equal(r.lineSource, 'llm', 'the line came through the LLM client from the stand-in');
  // Each sees the swap from their own side.
  assert.deepEqual(forA.report.youShowThem, forB.report.theyShowYou);
  assert.deepEqual(forA.report.theyShowYou, forB.report.youShowThem);
});

test('the Blend holds only the score, shared shows, the swap and the line: neither history', async () => {
  const blend = (await call('GET', `/api/sessions/${S.B}/blends/${blendId}`, auth(T.B))).json;
  assert.deepEqual(Object.keys(blend.report).sort(), ['blendId', 'generatedAt', 'line', 'lineSource', 'matchScore', 'parts', 'sharedShows', 'theyShowYou', 'youShowThem']);
  for (const show of [...blend.report.sharedShows, blend.report.youShowThem, blend.report.theyShowYou].filter((x): x is Show => !!x)) assert.deepEqual(Object.keys(show).sort(), ['name', 'posterUrl']);
  // A's own report: nothing of it beyond the names the Blend shows reaches B.
  const reportA = (await (await fetch(`${url}/api/sessions/${S.A}/report`, { headers: auth(T.A) })).json()) as Report;
  const named = new Set([...blend.report.sharedShows, blend.report.theyShowYou, blend.report.youShowThem].filter((s): s is Show => !!s).map((s) => s.name));
  // (The line is left out here: the LLM stand-in draws every quip from one pool of sentences.)
  const withoutLine = JSON.stringify({ ...blend, cards: blend.cards.filter((c) => c.card !== 'blendLine'), report: { ...blend.report, line: '' } });
  for (const secret of [reportA.firstShow?.date, reportA.mostWatchedShow?.summary, reportA.firstShowQuip, reportA.personality?.quip, reportA.starSign?.quip].filter(Boolean)) {
    assert.ok(!withoutLine.includes(secret!), `B's view holds A's ${secret}`);
  }
  if (reportA.firstShow && !named.has(reportA.firstShow.name)) assert.ok(!JSON.stringify(blend).includes(reportA.firstShow.name));
  // B cannot read A's report or A's session through the Blend.
  assert.equal((await call('GET', `/api/sessions/${S.A}/report`, auth(T.B))).status, 404);
  const list = (await call('GET', `/api/sessions/${S.B}/blends`, auth(T.B))).json;
  assert.equal(list.blends.length, 1);
  assert.ok(!JSON.stringify(list).includes(S.A), 'the list does not name the other session');
  assert.ok(!JSON.stringify(blend).includes(S.A));
});

test('a third viewer, a write-only key and an anonymous caller all get the same 404; a read operator reads it', async () => {
  const tries = [
    await call('GET', `/api/sessions/${S.A}/blends/${blendId}`, auth(T.C)),
    await call('GET', `/api/sessions/${S.C}/blends/${blendId}`, auth(T.C)),
    await call('GET', `/api/sessions/${S.A}/blends/${blendId}`, auth(KEYS.write)),
    await call('GET', `/api/sessions/${S.A}/blends/${blendId}`),
    // A Blend that does not exist, asked by its would-be viewer: the same answer.
    await call('GET', `/api/sessions/${S.A}/blends/${'x'.repeat(22)}`, auth(T.A)),
  ];
  for (const t of tries.slice(0, 4)) {
    assert.equal(t.status, 404, t.text);
    assert.equal(t.text, tries[0].text);
  }
  assert.equal(tries[4].status, 404);
  assert.deepEqual(Object.keys(tries[4].json.error), Object.keys(tries[0].json.error));
  const read = await call('GET', `/api/sessions/${S.A}/blends/${blendId}`, auth(KEYS.read));
  assert.equal(read.status, 200);
  assert.equal(read.json.report.matchScore, (await call('GET', `/api/sessions/${S.B}/blends/${blendId}`, auth(T.B))).json.report.matchScore);
});

test("a share link shows one Blend card, with its link preview and story image", async () => {
  const made = await call('POST', `/api/sessions/${S.A}/blends/${blendId}/share-links`, auth(T.A));
  assert.equal(made.status, 200, made.text);
  assert.deepEqual(Object.keys(made.json.links), [...BLEND_CARDS]);
  assert.equal((await call('POST', `/api/sessions/${S.C}/blends/${blendId}/share-links`, auth(T.C))).status, 404);
  const score = made.json.links.blendScore;
  const page = await fetch(score.url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const matchScore = (await call('GET', `/api/sessions/${S.A}/blends/${blendId}`, auth(T.A))).json.report.matchScore;
  assert.match(html, new RegExp(`${matchScore}% match`));
  for (const img of [score.imageUrl, score.storyUrl]) {
    const res = await fetch(img);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
  }
  const forged = score.url.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
  assert.equal((await fetch(forged)).status, 404);
});

test('a revoked invitation cannot be accepted', async () => {
  const invite = await call('POST', `/api/sessions/${S.A}/blend-invitations`, auth(T.A));
  const token = invite.json.url.split('#blend=')[1];
  // Only A (or an admin) revokes it, and only A's own.
  assert.equal((await call('DELETE', `/api/sessions/${S.C}/blend-invitations/${invite.json.invitationId}`, auth(T.C))).status, 404);
  const revoked = await call('DELETE', `/api/sessions/${S.A}/blend-invitations/${invite.json.invitationId}`, auth(T.A));
  assert.equal(revoked.status, 200, revoked.text);
  const refused = await call('POST', `/api/sessions/${S.C}/blends`, auth(T.C), { invitation: token });
  assert.equal(refused.status, 410, refused.text);
  assert.equal(refused.json.error.code, 'invitation_dead');
  assert.equal((await call('POST', `/api/sessions/${S.C}/blends`, auth(T.C), { invitation: `${token.slice(0, -1)}x` })).status, 410);
  assert.equal((await call('GET', `/api/sessions/${S.C}/blends`, auth(T.C))).json.blends.length, 0);
});

test("forgetting either viewer's session erases the Blend, its share links and its payload key", async () => {
  const share = (await call('POST', `/api/sessions/${S.B}/blends/${blendId}/share-links`, auth(T.B))).json.links.blendLine.url;
  assert.equal((await fetch(share)).status, 200);
  const forgot = await call('DELETE', `/api/sessions/${S.B}`, auth(T.B));
  assert.equal(forgot.status, 200, forgot.text);
  assert.equal(forgot.json.receipt.rowsDeleted.blends, 1);
  assert.equal((await call('GET', `/api/sessions/${S.A}/blends/${blendId}`, auth(T.A))).status, 404);
  assert.equal((await call('GET', `/api/sessions/${S.A}/blends`, auth(T.A))).json.blends.length, 0);
  assert.equal((await fetch(share)).status, 404);
  assert.equal(await stack.db.db.selectFrom('blends').select('id').where('id', '=', blendId).executeTakeFirst(), undefined);
  const tombstone = await stack.db.db.selectFrom('erased_session_keys').select('key_id').where('session_digest', '=', sessionDigest(blendWorkflowId(blendId))).executeTakeFirst();
  assert.ok(tombstone, "the Blend's payload key was destroyed");
  await assert.rejects(stack.sessionKeys.keyForSession(blendWorkflowId(blendId)), /erased/i);
  // Its workflow history can no longer be decoded.
  await assert.rejects(stack.client.workflow.getHandle(blendWorkflowId(blendId)).result());
});

test("forgetting the inviter's session erases their Blends and invitations too", async () => {
  const invite = await call('POST', `/api/sessions/${S.A}/blend-invitations`, auth(T.A));
  const accepted = await call('POST', `/api/sessions/${S.C}/blends`, auth(T.C), { invitation: invite.json.url.split('#blend=')[1] });
  assert.equal(accepted.status, 202, accepted.text);
  const second = accepted.json.blendId;
  assert.equal((await waitForBlend(S.C, T.C, second)).state, 'COMPLETED');
  const forgot = await call('DELETE', `/api/sessions/${S.A}`, auth(T.A));
  assert.equal(forgot.status, 200, forgot.text);
  assert.equal(forgot.json.receipt.rowsDeleted.blends, 1);
  assert.ok(forgot.json.receipt.rowsDeleted.blend_invitations >= 1);
  assert.equal((await call('GET', `/api/sessions/${S.C}/blends/${second}`, auth(T.C))).status, 404);
  await assert.rejects(stack.sessionKeys.keyForSession(blendWorkflowId(second)), /erased/i);
});
