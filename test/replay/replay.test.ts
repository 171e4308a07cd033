// Replays every recorded history against today's workflow code. Any change that would break a
// running workflow's determinism fails here, before it reaches a worker.
// - test/histories: sessions recorded with today's shape (the lanes, behind the 'session-lanes' patch),
//   forgetting (ForgetWorkflow, RetentionWorkflow) and a Blend (BlendWorkflow);
// - test/histories/v1: sessions recorded before it, which must go on in v1's code after an upgrade;
// - test/histories/stages: sessions recorded with the stage table (behind the 'stage-table' patch),
//   whose runs hand over snapshots with `stages` by name.
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { failureConverterPath } from '../../src/temporal/codec/payloadCodec.js';
import { REPORT_DEADLINE_PATCH, SESSION_LANES_PATCH, STAGE_TABLE_PATCH } from '../../workflows/session/session.js';
import { workflowIdFromFileName } from '../support/histories.js';
import { workflowBundle } from '../support/temporal.js';

type History = { events: Record<string, unknown>[] };
const corpus = (dir: string) => {
  const abs = path.resolve(dir);
  return readdirSync(abs)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, workflowId: workflowIdFromFileName(file), history: JSON.parse(readFileSync(path.join(abs, file), 'utf8')) as History }));
};
const current = corpus('test/histories');
const v1 = corpus('test/histories/v1');
const stages = corpus('test/histories/stages');
const isSession = (file: string) => file.startsWith('session-') && !file.includes('__');
const SCENARIOS = ['session-completed-small', 'session-continued-as-new', 'session-unknown-key', 'session-never-connected', 'session-connected-later'];

async function replayAll(bundle: Awaited<ReturnType<typeof workflowBundle>>, histories: { workflowId: string; history: History }[]) {
  const failures = new Map<string, string>();
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: 'corpus' }, histories)) {
    if (result.error) failures.set(result.workflowId, result.error.message);
  }
  return failures;
}

test('both corpora cover completed, continued-as-new, failed and late-connected sessions and their children', () => {
  for (const [name, files] of [['current', current.map((h) => h.file)], ['v1', v1.map((h) => h.file)], ['stages', stages.map((h) => h.file)]] as const) {
    for (const needed of SCENARIOS) assert.ok(files.some((f) => f.startsWith(needed)), `${name}: no history for ${needed}`);
    assert.ok(files.filter((f) => f.startsWith('session-continued-as-new@')).length > 1, `${name}: several runs of the continued session`);
    assert.ok(files.some((f) => f.includes('__show-data__')) && files.some((f) => f.includes('__crawl__')), `${name}: child histories`);
  }
});

test('the current corpus covers forgetting: a ForgetWorkflow by request and a retention sweep with its child', () => {
  const files = current.map((h) => h.file);
  assert.ok(files.some((f) => f.startsWith('forget-forgotten@')), 'a forget requested through the API');
  assert.ok(files.some((f) => f.startsWith('retention-sweep@')) && files.some((f) => f.startsWith('forget-expired@')), 'a retention sweep and the forget it started');
});

test('the current corpus covers a Blend that waited for its second session', () => {
  const blend = current.find((h) => h.file.startsWith('blend-'));
  assert.ok(blend, 'a BlendWorkflow history');
  const timers = blend.history.events.filter((e) => (e as { eventType?: string }).eventType === 'EVENT_TYPE_TIMER_STARTED');
  assert.ok(timers.length > 0, 'it waited (a durable timer) while a session still ran');
});

// A patch is a `core_patch` marker whose payload (base64 JSON) names it.
type Marker = { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> } };
const patches = (h: History) =>
  (h.events as Marker[]).flatMap((e) => {
    const attrs = e.markerRecordedEventAttributes;
    if (attrs?.markerName !== 'core_patch') return [];
    return Object.values(attrs.details ?? {}).flatMap((d) => (d.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as { id: string }).id));
  });

test('the current corpus has a session that crossed its report deadline, and sessions recorded before the deadline existed', () => {
  const runs = current.filter((h) => isSession(h.file) && h.file.startsWith('session-past-deadline@'));
  assert.ok(runs.length > 1, 'the deadline session continued as new');
  const events = runs.flatMap((h) => h.history.events as { eventType?: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string }; input?: { payloads?: { data?: string }[] } } }[]);
  assert.ok(runs.every((h) => patches(h.history).includes(REPORT_DEADLINE_PATCH)), 'each run passed the deadline patch');
  assert.equal(events.filter((e) => e.eventType === 'EVENT_TYPE_TIMER_FIRED').length, 1, 'the deadline fired once, in the run it fell in');
  const inputs = events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'buildReport' || e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordSessionState')
    .map((e) => Buffer.from(e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data ?? '', 'base64').toString('utf8'));
  assert.ok(inputs.some((i) => i.includes('PROVISIONAL_REPORT_READY')), 'the provisional state was recorded');
  assert.ok(inputs.some((i) => /"final":false/.test(i)) && inputs.some((i) => /"final":true/.test(i)), 'provisional versions, then the final one');
  const older = current.filter((h) => isSession(h.file) && h.file.startsWith('session-completed-small@'));
  assert.ok(older.length > 0 && older.every((h) => !patches(h.history).includes(REPORT_DEADLINE_PATCH)), 'sessions begun before the deadline replay without it');
});

test("today's session histories carry the 'session-lanes' patch marker; v1's do not", () => {
  const hasMarker = (h: History) => patches(h).includes(SESSION_LANES_PATCH);
  const sessions = current.filter((h) => isSession(h.file));
  assert.ok(sessions.length >= 5);
  for (const h of sessions) assert.ok(hasMarker(h.history), `${h.file} has no patch marker`);
  for (const h of v1.filter((x) => isSession(x.file))) assert.ok(!hasMarker(h.history), `${h.file} has a patch marker`);
});

test("the stage table's runs that continue as new carry its patch marker and hand over `stages` by name; the lanes' runs do neither", () => {
  type Event = { eventType?: string };
  const continues = (h: History) => (h.events as Event[]).some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  const handing = stages.filter((h) => isSession(h.file) && continues(h.history));
  assert.ok(handing.length >= 2, 'runs that handed over');
  for (const h of handing) assert.ok(patches(h.history).includes(STAGE_TABLE_PATCH), `${h.file} has no stage-table marker`);
  // The marker is asked for only where it decides (it costs a search-attribute upsert): a run that completes has none.
  assert.ok(stages.filter((h) => isSession(h.file) && !continues(h.history)).every((h) => !patches(h.history).includes(STAGE_TABLE_PATCH)));
  for (const h of current.filter((x) => isSession(x.file))) assert.ok(!patches(h.history).includes(STAGE_TABLE_PATCH), `${h.file} has a stage-table marker`);
  // What a continued run was handed: the first event's input holds the previous run's snapshot.
  type Started = { workflowExecutionStartedEventAttributes?: { input?: { payloads?: { data?: string }[] } } };
  const snapshotOf = (h: History) => {
    const data = (h.events[0] as Started).workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data ?? '';
    return (JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { snapshot?: Record<string, unknown> }).snapshot;
  };
  const handedOver = (corpus: typeof current) => corpus.filter((h) => isSession(h.file) && h.file.startsWith('session-continued-as-new@')).map((h) => snapshotOf(h.history)).filter((s) => s !== undefined);
  assert.ok(handedOver(stages).length > 1 && handedOver(stages).every((s) => 'stages' in s && !('showData' in s)), 'the table shape');
  assert.ok(handedOver(current).length > 1 && handedOver(current).every((s) => 'showData' in s && !('stages' in s)), "the lanes' shape");
});

test('every recorded history, of today, of the lanes before the stage table and of v1, replays without non-determinism', async () => {
  const failures = await replayAll(await workflowBundle(), [...stages, ...current, ...v1]);
  assert.deepEqual([...failures.entries()], []);
  assert.ok(stages.length >= 10 && current.length >= 10 && v1.length >= 10);
});

test('without the patch check, v1 sessions in flight would break: their histories fail against the lanes', async () => {
  const unprotected = await bundleWorkflowCode({
    workflowsPath: path.resolve('test/replay/unprotected/workflows.ts'),
    failureConverterPath,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
  });
  const sessions = v1.filter((h) => isSession(h.file));
  const failures = await replayAll(unprotected, sessions);
  // Every session that got as far as its stats decides differently today (it records STATS_DATA_READY
  // itself, the gates run in another order): exactly what the patch keeps from running sessions.
  for (const id of ['session-completed-small', 'session-continued-as-new', 'session-connected-later']) {
    assert.match(failures.get(id) ?? 'replayed without error', /[Nn]ondeterminism|DeterminismViolation/, id);
  }
});

test('a history replayed against code that would decide differently is caught', async () => {
  // Replaying under another workflow id changes the child ids SessionWorkflow derives from it,
  // exactly what a careless change to the id scheme would do to running sessions.
  const session = current.find((h) => h.file.startsWith('session-completed-small') && isSession(h.file))!;
  await assert.rejects(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: 'changed' }, session.history, 'session-renamed'), /[Nn]ondeterminism|DeterminismViolation/);
});
