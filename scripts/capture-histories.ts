// Records real workflow histories into test/histories/ for the replay test: runs a few sessions on a
// full local stack and exports every run of every workflow they started (parents and children).
// Usage: npm run histories:capture   (commit the files it writes)
//        HISTORIES_DIR=test/histories/stages npm run histories:capture -- completed-small …   (a new corpus beside the old)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ensureTemporalCli } from '../src/temporal/cli.js';
import path from 'node:path';
import { WorkflowTypes, connectSignal, sessionWorkflowId } from '../src/contracts/index.js';
import { blendWorkflowId } from '../src/contracts/blend.js';
import { historyFileName } from '../test/support/histories.js';
import { startTestStack, waitForState } from '../test/support/stack.js';

const outDir = path.resolve(process.env.HISTORIES_DIR ?? 'test/histories');
mkdirSync(outDir, { recursive: true });

const cli = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
// Unencrypted on purpose: the corpus must replay without anyone's keys (it holds only demo keys).
// A short report deadline and a slower crawl: a session of demo-1k crosses the deadline (provisional
// versions, then the final one); the small ones finish before it.
const stack = await startTestStack({ encryptPayloads: false, env: { CONTINUE_AS_NEW_EVERY_PAGES: '3', CONNECT_TIMEOUT: '2s', REPORT_DEADLINE: '4s', RT_RPS: '10' } });
// Starting a session is idempotent by its id, so a request whose kept-alive connection the server
// closed while we waited on the previous scenario is simply sent again.
const post = async (body: unknown, attempt = 1): Promise<Response> => {
  try {
    return await fetch(`${stack.apiUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    if (attempt >= 3) throw error;
    return post(body, attempt + 1);
  }
};

try {
  const scenarios: { name: string; start: () => Promise<void>; until: string[]; keep?: (workflowId: string) => boolean }[] = [
    { name: 'completed-small', start: async () => void (await post({ dataKey: 'demo-small', sessionId: 'completed-small' })), until: ['COMPLETED'] },
    { name: 'continued-as-new', start: async () => void (await post({ dataKey: 'demo-1k', sessionId: 'continued-as-new' })), until: ['COMPLETED'] },
    { name: 'past-deadline', start: async () => void (await post({ dataKey: 'demo-1k', sessionId: 'past-deadline' })), until: ['COMPLETED'] },
    { name: 'unknown-key', start: async () => void (await post({ dataKey: 'no-such-key', sessionId: 'unknown-key' })), until: ['FAILED'] },
    { name: 'never-connected', start: async () => void (await post({ sessionId: 'never-connected' })), until: ['FAILED'] },
    {
      name: 'connected-later',
      start: async () => {
        await post({ sessionId: 'connected-later' });
        await waitForState(stack, 'connected-later', ['AWAITING_CONNECTION']);
        await stack.env.client.workflow.getHandle(sessionWorkflowId('connected-later')).signal(connectSignal, { dataKey: 'demo-small' });
      },
      until: ['COMPLETED'],
    },
  ];
  // Erasing: a completed session forgotten through the API (ForgetWorkflow), and a retention sweep
  // (RetentionWorkflow with its ForgetWorkflow child). Only their histories are kept: the session's
  // own are the same as completed-small's.
  const erasing: typeof scenarios = [
    {
      name: 'forgotten',
      start: async () => {
        await post({ dataKey: 'demo-small', sessionId: 'forgotten' });
        await waitForState(stack, 'forgotten', ['COMPLETED']);
        const res = await fetch(`${stack.apiUrl}/api/sessions/forgotten`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.apiKey}` } });
        if (res.status !== 200) throw new Error(`forgetting answered ${res.status}`);
        await post({ dataKey: 'demo-small', sessionId: 'expired' });
        await waitForState(stack, 'expired', ['COMPLETED']);
        await stack.db.db.updateTable('sessions').set({ completed_at: new Date(0), updated_at: new Date(0) }).where('id', '=', 'expired').execute();
        await stack.env.client.workflow.execute(WorkflowTypes.retention, { workflowId: 'retention-sweep', taskQueue: stack.config.temporal.taskQueue, args: [{ retentionMs: 86_400_000 }] });
      },
      until: [],
      keep: (workflowId: string) => workflowId.startsWith('forget-') || workflowId.startsWith('retention-'),
    },
  ];
  // A Blend of two sessions, accepted while the second still runs: only BlendWorkflow's history is
  // kept (its sessions' are the same as completed-small's).
  const blending: typeof scenarios = [
    {
      name: 'blended',
      start: async () => {
        const started = async (sessionId: string) => (await (await post({ dataKey: 'demo-small', sessionId })).json()) as { viewerToken: string };
        const a = await started('blended-a');
        await waitForState(stack, 'blended-a', ['COMPLETED']);
        const viewer = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
        const invite = (await (await fetch(`${stack.apiUrl}/api/sessions/blended-a/blend-invitations`, { method: 'POST', headers: viewer(a.viewerToken) })).json()) as { url: string };
        const b = await started('blended-b');
        const accepted = await fetch(`${stack.apiUrl}/api/sessions/blended-b/blends`, { method: 'POST', headers: viewer(b.viewerToken), body: JSON.stringify({ invitation: invite.url.split('#blend=')[1] }) });
        if (accepted.status !== 202) throw new Error(`accepting answered ${accepted.status}`);
        const { blendId } = (await accepted.json()) as { blendId: string };
        await stack.env.client.workflow.getHandle(blendWorkflowId(blendId)).result();
      },
      until: [],
      keep: (workflowId: string) => workflowId.startsWith('blend-'),
    },
  ];
  // `npm run histories:capture -- forgotten` records only the named scenarios.
  const only = process.argv.slice(2);
  const chosen = [...scenarios, ...erasing, ...blending].filter((s) => only.length === 0 || only.includes(s.name));
  for (const scenario of chosen) {
    await scenario.start();
    if (scenario.until.length > 0) await waitForState(stack, scenario.name, scenario.until, 120_000);
    // Let abandoned children finish so their histories are complete.
    await new Promise((r) => setTimeout(r, 1500));
    let count = 0;
    const keep = scenario.keep ?? ((workflowId: string) => workflowId.startsWith(sessionWorkflowId(scenario.name)));
    for await (const execution of stack.env.client.workflow.list({ query: `TaskQueue = "${stack.config.temporal.taskQueue}"` })) {
      if (!keep(execution.workflowId)) continue;
      // Exported exactly as an operator would: `temporal workflow show --output json`.
      const json = execFileSync(cli, ['workflow', 'show', '--address', stack.env.address, '--workflow-id', execution.workflowId, '--run-id', execution.runId, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
      writeFileSync(path.join(outDir, historyFileName(execution.workflowId, execution.runId)), json);
      count++;
    }
    console.log(`${scenario.name}: ${count} histories`);
  }
} finally {
  await stack.close();
}
