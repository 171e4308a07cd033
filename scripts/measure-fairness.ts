// A measurement, not a test: a small viewer's time to STATS_DATA_READY and to COMPLETED, alone and
// started while a large viewer runs, with fairness keys honoured by the server and not. Each run is
// a fresh stack in this process (test/support/stack.ts) with the app's default pipeline settings and
// the stand-ins at the bench's fast limits; no show cache, so neither viewer gets the other's shows.
// Set DATABASE_URL (PostgreSQL) to measure what the bench would; without it PGlite adds its own queue.
//
//   node --import tsx scripts/measure-fairness.ts [small=demo-1k] [large=demo-10k] [leadSeconds=5] [rounds=1] [rateScale=1]
//
// rateScale multiplies every service's rate (stand-in and client): at 10 the rate limits hardly bind,
// which tells the share of a slowdown they cause from the share the worker's CPU causes.
import { SERVICE_NAMES } from '../standins/index.js';
import { SETTING_LIMITS, appRateEnv } from '../bench/scenarios.js';
import { type TestStack, startTestStack } from '../test/support/stack.js';

const [small = 'demo-1k', large = 'demo-10k', leadArg = '5', roundsArg = '1', scaleArg = '1'] = process.argv.slice(2);
const scale = Number(scaleArg);
const leadMs = Number(leadArg) * 1000;

// The defaults the app runs with, not the test stack's small pages and chunks.
const ENV: Record<string, string> = {
  PAGE_SIZE: '300',
  PAGES_PER_FETCH: '8',
  CHUNK_SIZE: '50',
  CONTINUE_AS_NEW_EVERY_PAGES: '100',
  CHUNK_MAX_ATTEMPTS: '8',
  CHUNK_RETRY_INITIAL: '2s',
  CIRCUIT_OPEN: '30s',
  SHOW_CACHE_TTL: '1ms',
  ...Object.fromEntries(Object.entries(appRateEnv('fast')).map(([k, v]) => [k, String(Number(v) * scale)])),
};

async function startSession(stack: TestStack, dataKey: string): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dataKey }),
  });
  if (!res.ok) throw new Error(`start ${dataKey}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

/** Seconds from now until the session first shows each state, polled every 100 ms. */
async function timeStates(stack: TestStack, sessionId: string, startedAt: number): Promise<{ stats: number; done: number }> {
  let stats: number | undefined;
  for (;;) {
    const res = await fetch(`${stack.apiUrl}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    const state = res.ok ? String(((await res.json()) as { state: string }).state) : 'PENDING';
    const at = (Date.now() - startedAt) / 1000;
    if (stats === undefined && ['STATS_DATA_READY', 'PROVISIONAL_REPORT_READY', 'COMPLETED'].includes(state)) stats = at;
    if (state === 'COMPLETED') return { stats: stats!, done: at };
    if (state === 'FAILED') throw new Error(`session ${sessionId} failed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(mode: 'alone' | 'beside, fair' | 'beside, FIFO'): Promise<{ stats: number; done: number }> {
  const stack = await startTestStack({ env: ENV, temporal: { fairness: mode !== 'beside, FIFO' } });
  try {
    for (const name of SERVICE_NAMES) {
      const limits = SETTING_LIMITS.fast[name];
      stack.standins.setLimits(name, { ...limits, rps: limits.rps * scale, burst: limits.burst * scale });
    }
    if (mode !== 'alone') {
      await startSession(stack, large);
      await new Promise((r) => setTimeout(r, leadMs));
    }
    const startedAt = Date.now();
    const times = await timeStates(stack, await startSession(stack, small), startedAt);
    console.log(`${small} ${mode}${mode === 'alone' ? '' : ` ${large} (started ${leadMs / 1000} s before)`}: STATS_DATA_READY ${times.stats.toFixed(1)} s, COMPLETED ${times.done.toFixed(1)} s`);
    return times;
  } finally {
    await stack.close();
  }
}

const MODES = ['alone', 'beside, fair', 'beside, FIFO'] as const;
await run('alone'); // warm-up, not counted: the first stack in a process pays for bundling and JIT
const times: Record<string, { stats: number; done: number }[]> = {};
for (let round = 0; round < Number(roundsArg); round++) {
  for (const mode of MODES) (times[mode] ??= []).push(await run(mode));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const mode of MODES) {
  const stats = median(times[mode].map((t) => t.stats));
  const done = median(times[mode].map((t) => t.done));
  const ratio = (x: number, alone: number) => (mode === 'alone' ? '' : ` (${(x / alone).toFixed(2)}× alone)`);
  console.log(`MEDIAN ${small} ${mode}: STATS_DATA_READY ${stats.toFixed(1)} s${ratio(stats, median(times.alone.map((t) => t.stats)))}, COMPLETED ${done.toFixed(1)} s${ratio(done, median(times.alone.map((t) => t.done)))}`);
}
