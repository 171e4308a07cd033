// The operator CLI as an operator runs it: a separate process against a real stack.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
const payloadKeys = `cli:${randomBytes(32).toString('base64')}`;
const apiKey = randomBytes(16).toString('hex');
/** An operator key that may only read. */
const readKey = randomBytes(16).toString('hex');
before(async () => {
  stack = await startTestStack({ env: { PAYLOAD_KEYS: payloadKeys, API_KEYS: `${apiKey},${readKey}:read` } });
});
after(async () => {
  await stack?.close();
});

/** The stack's database for the CLI process (session payload keys live there). */
const stackDatabase = (): Record<string, string> => {
  const url = (stack.db as { url?: string }).url;
  return url ? { DATABASE_URL: url } : {};
};

/** Runs the CLI; `onOutput` sees its output as it streams (to act at the right moment). */
function showprint(args: string[], extraEnv: Record<string, string> = {}, onOutput?: (soFar: string) => void): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    let soFar = '';
    const child = execFile(
      process.execPath,
      ['bin/showprint.js', '--api', stack.apiUrl, ...args],
      {
        env: { ...process.env, SHOWPRINT_API_KEY: apiKey, PAYLOAD_KEYS: payloadKeys, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'showprint-cli-')), LOG_LEVEL: 'error', ...extraEnv },
        timeout: 120_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
    child.stdout?.on('data', (chunk: Buffer) => onOutput?.((soFar += chunk.toString())));
  });
}

test('start, watch, report, list, retry-failed and replay a session', async () => {
  const started = await showprint(['start', 'demo-small', '--no-watch']);
  assert.equal(started.code, 0, started.out);
  const sessionId = /session ([0-9a-f-]{36})/.exec(started.out)?.[1];
  assert.ok(sessionId, started.out);

  await waitForState(stack, sessionId, ['COMPLETED']);

  const report = await showprint(['report', sessionId]);
  assert.match(report.out, /Your TV report/);
  assert.match(report.out, /Most watched:\s+.+, watched \d+ of \d+ episodes/);
  const json = JSON.parse((await showprint(['report', sessionId, '--json'])).out) as { sessionId: string };
  assert.equal(json.sessionId, sessionId);

  assert.match((await showprint(['list', '--state', 'COMPLETED'])).out, new RegExp(sessionId));
  assert.match((await showprint(['retry-failed', sessionId])).out, /No failed shows/);

  // The histories' payloads are sealed with the session's own key, kept in the stack's database.
  const replay = await showprint(['replay', sessionId, '--address', stack.env.address], stackDatabase());
  assert.equal(replay.code, 0, replay.out);
  assert.match(replay.out, /All \d+ histories replay deterministically/);
});

test('watch follows a session from waiting for its key to completed', async () => {
  const sessionId = `cli-watch-${Date.now()}`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ sessionId }) });
  await waitForState(stack, sessionId, ['AWAITING_CONNECTION']);
  let connected = false;
  // Connect only once watch has shown the waiting state, so it sees the whole journey.
  const watched = await showprint(['watch', sessionId], {}, (soFar) => {
    if (connected || !soFar.includes('AWAITING_CONNECTION')) return;
    connected = true;
    void fetch(`${stack.apiUrl}/api/sessions/${sessionId}/connect`, { method: 'POST', headers, body: JSON.stringify({ dataKey: 'demo-small' }) });
  });
  assert.equal(watched.code, 0, watched.out);
  // Not on a terminal, progress comes as lines: the waiting state first, then completion.
  assert.match(watched.out, /AWAITING_CONNECTION\s+\d+%\s+pages \d+\/\d+\s+show data \d+\/\d+\s+crawl \d+\/\d+/);
  assert.match(watched.out, new RegExp(`Session ${sessionId} completed`));
});

test('forget erases a session with an admin key and prints the receipt; it is gone for reports and replay', async () => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const { sessionId } = (await (await fetch(`${stack.apiUrl}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ dataKey: 'demo-small' }) })).json()) as { sessionId: string };
  await waitForState(stack, sessionId, ['COMPLETED']);

  const forgot = await showprint(['forget', sessionId]);
  assert.equal(forgot.code, 0, forgot.out);
  assert.match(forgot.out, new RegExp(`Session ${sessionId} erased at \\S+ \\(asked by: operator, key [0-9a-f]{12}\\)`));
  assert.match(forgot.out, /payload key destroyed: session\./);
  assert.match(forgot.out, /rows deleted: .*sessions 1/);

  const report = await showprint(['report', sessionId]);
  assert.equal(report.code, 1);
  assert.match(report.out, new RegExp(`Error: No session ${sessionId}`));
  const replay = await showprint(['replay', sessionId, '--address', stack.env.address], stackDatabase());
  assert.notEqual(replay.code, 0, `an erased session's histories replay nowhere:\n${replay.out}`);
  assert.doesNotMatch(replay.out, /All \d+ histories replay deterministically/);
});

test('bad input and a wrong key get clear errors, not stack traces', async () => {
  const unknown = await showprint(['report', 'no-such-session']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.out, /Error: No session no-such-session/);
  const unauthorized = await showprint(['start', 'demo-small', '--no-watch'], { SHOWPRINT_API_KEY: 'wrong' });
  assert.equal(unauthorized.code, 1);
  assert.doesNotMatch(unauthorized.out, /at .*\.ts:\d+/);
  // A read-only key lists, but may not start or forget: the error names the scope it lacks.
  assert.equal((await showprint(['list'], { SHOWPRINT_API_KEY: readKey })).code, 0);
  const readOnlyStart = await showprint(['start', 'demo-small', '--no-watch'], { SHOWPRINT_API_KEY: readKey });
  assert.equal(readOnlyStart.code, 1);
  assert.match(readOnlyStart.out, /needs .*\bwrite\b/);
  const readOnlyForget = await showprint(['forget', 'no-such-session'], { SHOWPRINT_API_KEY: readKey });
  assert.equal(readOnlyForget.code, 1);
  assert.match(readOnlyForget.out, /needs .*\badmin\b/);
  assert.doesNotMatch(`${readOnlyStart.out}${readOnlyForget.out}`, /at .*\.ts:\d+/);
});

test('doctor checks every part and says what to fix', async () => {
  const services = {
    TEMPORAL_ADDRESS: stack.env.address,
    GANDALF_URL: stack.endpoints.gandalfUrl,
    GANDALF_PRIVATE_KEY: stack.endpoints.gandalfPrivateKey,
    TMDB_URL: stack.endpoints.tmdbUrl,
    TMDB_API_KEY: stack.endpoints.tmdbApiKey,
    RT_URL: stack.endpoints.rtUrl,
    OPENAI_BASE_URL: stack.endpoints.openaiBaseUrl!,
    OPENAI_API_KEY: stack.endpoints.openaiApiKey!,
  };
  const healthy = await showprint(['doctor'], services);
  assert.equal(healthy.code, 0, healthy.out);
  assert.match(healthy.out, /✓ Temporal server .* search attributes registered/);
  assert.match(healthy.out, /✓ Gandalf .* signature accepted/);
  const broken = await showprint(['doctor'], { ...services, TMDB_API_KEY: 'wrong-key', GANDALF_PRIVATE_KEY: '11'.repeat(32) });
  assert.equal(broken.code, 1);
  assert.match(broken.out, /✗ TMDB .*\n\s+→ Check TMDB_URL and TMDB_API_KEY/);
  assert.match(broken.out, /✗ Gandalf .*INVALID_SIGNATURE|✗ Gandalf .*signature/);
});
