// `npm start`: brings up the whole stack on this machine, runs a demo session end to end, prints its
// progress, the report and where to look, then keeps serving until Ctrl-C.
import { ConfigError, loadConfig } from '../config/index.js';
import type { Report } from '../domain/report.js';
import type { SessionProgress } from '../contracts/index.js';
import { startLocalStack } from './localStack.js';
import { formatProgressLine, formatReport } from './format.js';

const say = (line: string) => console.log(line);

async function main() {
  const startedAt = Date.now();
  const config = loadConfig();
  const stack = await startLocalStack(config, { say });

  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
    if (stoppingSince) {
      // One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a later one forces.
      if (Date.now() - stoppingSince < 1000) return;
      say('Forced exit.');
      stack.kill();
      process.exit(1);
    }
    stoppingSince = Date.now();
    say(`\n${signal}: shutting down (Ctrl-C again to force)…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  say('');
  say(`API         ${stack.apiUrl}`);
  if (stack.webUiUrl) say(`Temporal UI ${stack.webUiUrl}`);
  say(`Temporal    ${stack.temporalAddress} (namespace ${config.temporal.namespace})`);
  say(`Database    ${stack.db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}/pglite`}`);
  say(`Services    ${stack.usingStandins ? 'stand-ins on loopback' : 'real services'}; AI: ${stack.endpoints.openaiBaseUrl ? stack.endpoints.openaiBaseUrl : 'local engine'}`);
  // The local key is this machine's own (0600 under DATA_DIR); a configured API_KEYS is never printed.
  if (stack.apiKeySource === 'env') say('API key     from API_KEYS');
  else {
    say(`API key     ${stack.apiKey}  (${stack.apiKeySource === 'generated' ? 'generated, ' : ''}kept in ${stack.apiKeyFile}; send it as Authorization: Bearer <key>)`);
    say(`Codec       ${stack.codecEndpoint}  (the Web UI's --ui-codec-endpoint: decrypts payloads)`);
  }
  say('');

  // DEMO_DATA_KEY, else the stand-ins' first demo viewer; against the real Gandalf there is none to guess.
  const dataKey = config.demoDataKey ?? stack.demoDataKeys[0]?.key;
  if (!dataKey) {
    say('No demo session: set DEMO_DATA_KEY to a dataKey the real Gandalf knows. The API keeps serving until Ctrl-C.');
    return;
  }
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ dataKey }),
  });
  if (!res.ok) throw new Error(`starting the demo session failed: HTTP ${res.status} ${await res.text()}`);
  const { sessionId, workflowId, viewerToken } = (await res.json()) as { sessionId: string; workflowId: string; viewerToken: string };
  const authorized = { headers: { authorization: `Bearer ${stack.apiKey}` } };
  // Only a stand-in key is printed: a real dataKey is the viewer's secret.
  say(`Demo session ${sessionId} (dataKey ${config.demoDataKey ? 'from DEMO_DATA_KEY' : dataKey})`);
  if (stack.webUiUrl) say(`  in the Web UI: ${stack.webUiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`);
  say(`  progress:     temporal workflow query --workflow-id ${workflowId} --type progress`);
  say('');

  let state = '';
  let lastLine = '';
  while (state !== 'COMPLETED' && state !== 'FAILED') {
    await new Promise((r) => setTimeout(r, 1000));
    const body = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}`, authorized)).json()) as {
      state: string;
      failureReason?: string;
      progress: SessionProgress | null;
    };
    state = body.state;
    const line = body.progress ? formatProgressLine(body.progress) : state;
    if (line !== lastLine) say(line);
    lastLine = line;
    if (state === 'FAILED') say(`Session failed: ${body.failureReason ?? body.progress?.failureReason ?? 'unknown reason'}`);
  }
  if (state === 'COMPLETED') {
    const report = (await (await fetch(`${stack.apiUrl}/api/sessions/${sessionId}/report`, authorized)).json()) as Report;
    say('');
    say(formatReport(report));
    say(`First report after ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
  }
  say('');
  // The viewer's link: the fragment carries their token to the page, never to a server log.
  say(`Your report: ${stack.apiUrl}/?session=${encodeURIComponent(sessionId)}#viewer=${viewerToken}`);
  say(`Report JSON: ${stack.apiUrl}/api/sessions/${sessionId}/report  (send the API key or the viewer token as Authorization: Bearer …)`);
  say('Serving until Ctrl-C.');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error('showprint failed to start:', error);
  process.exit(1);
});
