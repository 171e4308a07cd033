// Payload encryption over a real stack: sessions run to the end (continue-as-new and children
// included), then every history on the stack's task queue is exported raw, as the Temporal server
// stores it, and searched for the viewer's dataKey. The codec-aware client still reads it back.
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { type SessionInput, progressQuery, sessionWorkflowId } from '../../src/contracts/index.js';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA, KEY_KIND_METADATA } from '../../src/temporal/codec/payloadCodec.js';
import { SESSION_KEY_PREFIX } from '../../src/temporal/codec/sessionKeys.js';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  // One page at a time and continue-as-new every 2 pages: a 250-activity history (3 pages) takes two runs.
  stack = await startTestStack({ env: { PAGES_PER_FETCH: '1', FETCH_CONCURRENCY: '1', CONTINUE_AS_NEW_EVERY_PAGES: '2' } });
});
after(async () => {
  await stack?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify(body),
  });

interface RawFailure {
  message?: string;
  stackTrace?: string;
  encodedAttributes?: Payload;
}

/** Every byte string and string in a history, the payloads a codec is responsible for, and the failures. */
function walk(value: unknown, bytes: Buffer[], payloads: Payload[], key = '', failures: RawFailure[] = []): void {
  if (value instanceof Uint8Array) return void bytes.push(Buffer.from(value));
  if (typeof value === 'string') return void bytes.push(Buffer.from(value, 'utf8'));
  if (Array.isArray(value)) return value.forEach((v) => walk(v, bytes, payloads, key, failures));
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (key === 'failure' || key === 'cause') failures.push(obj as RawFailure);
  // Search attributes are indexed by the server, so they are never encoded: we keep secrets out of them.
  const isPayload = obj.metadata && typeof obj.metadata === 'object' && !(obj.metadata instanceof Uint8Array);
  // So are the SDK's patch markers (`patch-data`: the patch id, e.g. "session-lanes"): they hold no
  // data of ours, and the byte check below would find a dataKey there.
  if (isPayload && !['searchAttributes', 'indexedFields', 'patch-data'].includes(key)) payloads.push(obj as Payload);
  const sticky = (k: string) => (['indexedFields', 'patch-data'].includes(key) ? key : k);
  for (const [k, v] of Object.entries(obj)) walk(v, bytes, payloads, sticky(k), failures);
}

test('no dataKey in any raw history or payload, no failure message in the clear; the codec-aware client reads them back', async () => {
  const secretKey = 'demo-250';
  const laterKey = 'demo-123';
  const missingKey = `nope-${Date.now().toString(36)}-secret`;
  const ids = { direct: `enc-direct-${Date.now()}`, later: `enc-later-${Date.now()}`, missing: `enc-missing-${Date.now()}` };

  assert.equal((await post('/api/sessions', { dataKey: secretKey, sessionId: ids.direct })).status, 202);
  assert.equal((await post('/api/sessions', { sessionId: ids.later })).status, 202);
  await waitForState(stack, ids.later, ['AWAITING_CONNECTION']);
  assert.equal((await post(`/api/sessions/${ids.later}/connect`, { dataKey: laterKey })).status, 202);
  assert.equal((await post('/api/sessions', { dataKey: missingKey, sessionId: ids.missing })).status, 202);

  assert.equal((await waitForState(stack, ids.direct, ['COMPLETED', 'FAILED'], 60_000)).state, 'COMPLETED');
  assert.equal((await waitForState(stack, ids.later, ['COMPLETED', 'FAILED'], 60_000)).state, 'COMPLETED');
  const failed = await waitForState(stack, ids.missing, ['COMPLETED', 'FAILED'], 60_000);
  assert.equal(failed.state, 'FAILED');
  assert.ok(!JSON.stringify(failed).includes(missingKey), 'the API never shows the dataKey');
  await new Promise((r) => setTimeout(r, 1500)); // abandoned children finish

  // A client WITHOUT the codec, reading exactly what the server stores.
  const raw = new Client({ connection: stack.env.connection, namespace: stack.env.namespace ?? 'default' });
  const bytes: Buffer[] = [];
  const payloads: Payload[] = [];
  const failures: RawFailure[] = [];
  const runs: { workflowId: string; runId: string }[] = [];
  /** The key ids each workflow's payloads (its own and its failures') are sealed with. */
  const keyIdsByWorkflow = new Map<string, Set<string>>();
  for await (const execution of raw.workflow.list({ query: `TaskQueue = "${stack.config.temporal.taskQueue}"` })) {
    runs.push({ workflowId: execution.workflowId, runId: execution.runId });
    const history = await raw.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const before = payloads.length;
    walk(history, bytes, payloads, '', failures);
    const keyIds = keyIdsByWorkflow.get(execution.workflowId) ?? new Set<string>();
    for (const p of payloads.slice(before)) keyIds.add(Buffer.from(p.metadata?.[KEY_ID_METADATA] ?? []).toString());
    keyIdsByWorkflow.set(execution.workflowId, keyIds);
  }
  const all = Buffer.concat(bytes);
  assert.ok(runs.some((r) => r.workflowId.includes('/show-data/')) && runs.some((r) => r.workflowId.includes('/crawl/')), 'children were checked');
  assert.ok(runs.filter((r) => r.workflowId === sessionWorkflowId(ids.direct)).length > 1, 'every continue-as-new run was checked');
  assert.ok(payloads.length > 50, `only ${payloads.length} payloads found`);
  for (const p of payloads) assert.equal(Buffer.from(p.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
  // Every payload of a session (its runs and its children) is sealed with that session's own key, the
  // one its row in session_keys holds (what forgetting destroys); no two sessions share a key.
  for (const p of payloads) assert.equal(Buffer.from(p.metadata?.[KEY_KIND_METADATA] ?? []).toString(), 'session');
  const sessionKeyRows = await stack.db.db.selectFrom('session_keys').select(['session_id', 'key_id']).execute();
  const keyOf = new Map(sessionKeyRows.map((r) => [r.session_id, r.key_id]));
  for (const id of Object.values(ids)) {
    const keyId = keyOf.get(id);
    assert.ok(keyId?.startsWith(SESSION_KEY_PREFIX), `session ${id} has a key of its own: ${keyId}`);
    const own = [...keyIdsByWorkflow].filter(([workflowId]) => workflowId === sessionWorkflowId(id) || workflowId.startsWith(`${sessionWorkflowId(id)}/`));
    assert.ok(own.length > 0, `workflows of ${id} were checked`);
    for (const [workflowId, keyIds] of own) assert.deepEqual([...keyIds], [keyId], `${workflowId} is sealed with its session's key only`);
  }
  assert.equal(new Set(Object.values(ids).map((id) => keyOf.get(id))).size, Object.values(ids).length, 'no two sessions share a key');
  for (const key of [secretKey, laterKey, missingKey]) assert.equal(all.indexOf(key), -1, `${key} appears in a raw history`);
  // Failures (the unknown key's activity failure and the session's own) keep no message or stack in the clear.
  assert.ok(failures.length >= 2, `only ${failures.length} failures found`);
  for (const f of failures) {
    assert.equal(f.message, 'Encoded failure');
    assert.ok(!f.stackTrace, 'no stack trace in the clear');
    assert.equal(Buffer.from(f.encodedAttributes?.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
  }
  console.log(`checked ${runs.length} runs, ${payloads.length} payloads, ${all.length} bytes: no dataKey`);

  // The codec-aware client's converter reads the workflow input and the connect Update back.
  const converter = stack.client.options.loadedDataConverter;
  const decode = async (payload: Payload) => {
    let p = payload;
    for (const codec of [...converter.payloadCodecs].reverse()) [p] = await codec.decode([p]);
    return converter.payloadConverter.fromPayload(p);
  };
  const started = async (workflowId: string) => {
    const runIds = runs.filter((r) => r.workflowId === workflowId).map((r) => r.runId);
    for (const runId of runIds) {
      const h = await stack.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const attrs = h.events?.[0]?.workflowExecutionStartedEventAttributes;
      if (!attrs?.continuedExecutionRunId) return { attrs, events: h.events ?? [] };
    }
    throw new Error(`no first run of ${workflowId}`);
  };
  const direct = await started(sessionWorkflowId(ids.direct));
  assert.equal(((await decode(direct.attrs!.input!.payloads![0])) as SessionInput).dataKey, secretKey);
  const later = await started(sessionWorkflowId(ids.later));
  // The key arrived with the connect Update (the API's /connect): its accepted request holds it, encrypted.
  const update = later.events.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'connectKey');
  assert.ok(update, 'the connect Update is in the history');
  assert.deepEqual(await decode(update.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads![0]), { dataKey: laterKey });

  // The codec-aware client reads the session's failure reason back.
  const failure = await stack.client.workflow.getHandle(sessionWorkflowId(ids.missing)).result().catch((error: Error & { cause?: Error }) => error.cause);
  assert.match(String(failure?.message), /not found|unknown|no record/i, `the reason, decrypted: ${failure?.message}`);

  // Query answers are encrypted on the way out too: only the codec-aware client can read them.
  await assert.rejects(raw.workflow.getHandle(sessionWorkflowId(ids.direct)).query(progressQuery), /encoding|binary\/encrypted/i);
  const progress = await stack.client.workflow.getHandle(sessionWorkflowId(ids.direct)).query(progressQuery);
  assert.equal(progress.state, 'COMPLETED');
});

test('the temporal CLI shows decrypted payloads through the API’s codec endpoint (and only with the key)', async () => {
  const cli = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
  const sessionId = `enc-cli-${Date.now()}`;
  assert.equal((await post('/api/sessions', { sessionId, dataKey: 'demo-small' })).status, 202);
  const show = async (...extra: string[]) =>
    (await promisify(execFile)(cli, ['workflow', 'show', '--address', stack.env.address, '--workflow-id', sessionWorkflowId(sessionId), '--output', 'json', ...extra], { maxBuffer: 64 << 20 })).stdout;
  // JSON output carries payloads as base64 protobuf JSON: read the start event's input.
  const input = (out: string) => {
    const p = (JSON.parse(out) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string>; data: string }[] } } }[] })
      .events[0].workflowExecutionStartedEventAttributes!.input.payloads[0];
    return { encoding: Buffer.from(p.metadata.encoding, 'base64').toString(), data: Buffer.from(p.data, 'base64').toString() };
  };
  const rawInput = input(await show());
  assert.equal(rawInput.encoding, ENCRYPTED_ENCODING);
  assert.ok(!rawInput.data.includes('demo-small'));
  const decoded = input(await show('--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', `Bearer ${stack.apiKey}`));
  assert.equal(decoded.encoding, 'json/plain');
  assert.equal((JSON.parse(decoded.data) as SessionInput).dataKey, 'demo-small', 'the CLI decoded the input through /codec/decode');
  await assert.rejects(show('--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', 'Bearer wrong-key-0123456789'));
});
