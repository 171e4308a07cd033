// Records real workflow histories into test/histories/ for the replay test: runs a few sessions on a
// full local stack and exports every run of every workflow they started (parents and children).
// Usage: npm run histories:capture   (commit the files it writes)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ensureTemporalCli } from '../src/temporal/cli.js';
import path from 'node:path';
import { connectSignal, sessionWorkflowId } from '../src/contracts/index.js';
import { historyFileName } from '../test/support/histories.js';
import { startTestStack, waitForState } from '../test/support/stack.js';

const outDir = path.resolve('test/histories');
mkdirSync(outDir, { recursive: true });

const cli = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
// Unencrypted on purpose: the corpus must replay without anyone's keys (it holds only demo keys).
const stack = await startTestStack({ encryptPayloads: false, env: { CONTINUE_AS_NEW_EVERY_PAGES: '3', CONNECT_TIMEOUT: '2s' } });
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
  const scenarios: { name: string; start: () => Promise<void>; until: string[] }[] = [
    { name: 'completed-small', start: async () => void (await post({ dataKey: 'demo-small', sessionId: 'completed-small' })), until: ['COMPLETED'] },
    { name: 'continued-as-new', start: async () => void (await post({ dataKey: 'demo-1k', sessionId: 'continued-as-new' })), until: ['COMPLETED'] },
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
  for (const scenario of scenarios) {
    await scenario.start();
    await waitForState(stack, scenario.name, scenario.until, 120_000);
    // Let abandoned children finish so their histories are complete.
    await new Promise((r) => setTimeout(r, 1500));
    let count = 0;
    for await (const execution of stack.env.client.workflow.list({ query: `TaskQueue = "${stack.config.temporal.taskQueue}"` })) {
      if (!execution.workflowId.startsWith(sessionWorkflowId(scenario.name))) continue;
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
