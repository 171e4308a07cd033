// `npm run bench [-- --only 1k,real-1k …]`: starts a Temporal dev server, the stand-ins (in this process,
// under each scenario's setting: SETTING_LIMITS fast or real) and a worker process per scenario over a
// scratch PostgreSQL database, all loading one workflow bundle built at the start (bundle.ts), runs the
// scenarios (runner.ts), and writes bench/results.json, bench/RESULTS.md, bench/chart.svg and
// bench/README-section.md (results.ts; --out-dir elsewhere).
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publicKeyHexFromPrivate } from '../src/clients/gandalf/signature.js';
import { loadConfig, type PipelineSettings } from '../src/config/index.js';
import { ensureTemporalCli } from '../src/temporal/cli.js';
import { startDevServer } from '../src/temporal/devServer.js';
import { DEMO_SERVICE_KEYS } from '../standins/demoKeys.js';
import { startStandins } from '../standins/index.js';
import { parseBenchArgs } from './args.js';
import { buildBenchBundle } from './bundle.js';
import { probeCompiledWorker } from './compiledWorker.js';
import { newDatabase, type ScenarioDb } from './database.js';
import { Cleanup, freePort, say } from './infra.js';
import { benchPayloadEncryption } from './payload.js';
import { childPidNamed, gitCommit, machineInfo } from './probes.js';
import { round } from './numbers.js';
import { rerender, writeOutputs } from './outputs.js';
import type { BenchResults, CompiledWorkerProbe, ScenarioResult } from './results.js';
import { type BenchEnv, NAMESPACE, runScenario } from './runner.js';
import { appRateEnv, SCENARIOS, type Setting, SETTING_LIMITS, SETTINGS } from './scenarios.js';

const args = parseBenchArgs();
if (args.renderOnly) {
  console.log(`wrote ${rerender().join(', ')}`);
  process.exit(0);
}

const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
// Pipeline knobs (PAGES_PER_FETCH, CHUNK_SIZE, …) may be overridden from the environment to compare settings;
// the rates are per scenario (its setting), so the fast ones here only fill the config's rate fields.
const config = loadConfig({ ...process.env, ...appRateEnv('fast'), LOG_LEVEL: 'warn' });
const settings: PipelineSettings = config.pipeline;

async function main() {
  const cleanup = new Cleanup();
  process.on('exit', () => cleanup.killTracked());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      say(`${signal}: cleaning up`);
      void cleanup.runAll(say).then(() => process.exit(130));
    });
  }

  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'showprint-bench-'));
  let keepScratch = args.keepLogs || args.cpuProfile;
  cleanup.add('remove scratch directory', async () => {
    if (keepScratch) say(`logs kept in ${scratchDir}`);
    else rmSync(scratchDir, { recursive: true, force: true });
  });

  const results: ScenarioResult[] = [];
  const startedAt = Date.now();
  let bundle: ReturnType<typeof buildBenchBundle> | undefined;
  let fairness: boolean | undefined;
  let compiledWorker: CompiledWorkerProbe | undefined;
  try {
    // Once for the invocation: every worker then loads it, as the image's worker loads dist/workflow-bundle.js.
    bundle = buildBenchBundle(scratchDir);
    say(`workflow bundle: ${bundle.kb} kB in ${bundle.seconds.toFixed(1)} s (${bundle.codePath})`);
    const cliPath = await ensureTemporalCli(config.temporal.cliPath);
    const [port, uiPort] = [await freePort(), await freePort()];
    say(`Temporal dev server on 127.0.0.1:${port} (${cliPath})`);
    const devServer = await startDevServer({ cliPath, dataDir: path.join(scratchDir, 'temporal'), port, uiPort, namespace: NAMESPACE });
    cleanup.add('stop Temporal dev server', () => devServer.stop());
    // A fresh state file always gets matching.enableFairness, as the product's dev server does; say so if not.
    fairness = devServer.fairness;
    if (!fairness) say('the dev server runs without fairness keys: fair-* scenarios measure first come, first served');
    const temporalPid = childPidNamed('temporal');
    cleanup.trackPid(temporalPid);

    const standins = await startStandins({
      gandalfPublicKeyHex: publicKeyHexFromPrivate(DEMO_SERVICE_KEYS.gandalfPrivateKey),
      tmdbApiKey: DEMO_SERVICE_KEYS.tmdbApiKey,
      openaiApiKey: DEMO_SERVICE_KEYS.openaiApiKey,
      limits: SETTING_LIMITS[args.selected[0]?.setting ?? 'fast'],
    });
    cleanup.add('stop stand-ins', () => standins.close());

    const connection = await Connection.connect({ address: devServer.address });
    cleanup.add('close Temporal connection', () => connection.close());
    const payload = benchPayloadEncryption(runTag, scratchDir);
    const env: BenchEnv = {
      client: new Client({ connection, namespace: NAMESPACE, dataConverter: payload.dataConverter }),
      payloadEnv: payload.env,
      useSessionKeys: payload.useDatabase,
      connection,
      temporalAddress: devServer.address,
      temporalPid,
      standins,
      scratchDir,
      cleanup,
      runTag,
      databaseUrl,
      settings,
      cpuProfile: args.cpuProfile,
      timelineDir: args.timelineDir && path.resolve(args.timelineDir),
      workflowBundlePath: bundle.codePath,
    };
    if (args.probeCompiled) {
      compiledWorker = await probeCompiledWorker(env).catch((error: unknown) => {
        say(`compiled worker probe failed: ${(error as Error).message}`);
        return undefined;
      });
    }

    let warmable: ScenarioDb | undefined; // the database the last cold 10k filled
    for (const scenario of args.selected) {
      if (interrupted) break;
      let db: ScenarioDb;
      if (scenario.cache === 'warm') {
        if (!warmable) {
          say(`${scenario.name}: warming the cache with a cold demo-10k session first (not reported)`);
          warmable = await newDatabase(env, `${scenario.name}_prep`);
          await runScenario(env, SCENARIOS.find((s) => s.name === '10k')!, warmable, { report: false });
        }
        db = warmable;
        warmable = undefined;
      } else {
        if (warmable) await warmable.drop();
        warmable = undefined;
        db = await newDatabase(env, scenario.name);
      }
      try {
        results.push(await runScenario(env, scenario, db, { report: true }));
      } catch (error) {
        keepScratch = true;
        say(`${scenario.name}: failed: ${(error as Error).stack ?? error}`);
      }
      if (scenario.name === '10k' && scenario.cache === 'cold') warmable = db;
      else await db.drop();
    }
    if (warmable) await warmable.drop();
  } catch (error) {
    keepScratch = true;
    say(`bench failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await cleanup.runAll(say);
  }

  if (results.length > 0) {
    const bench: BenchResults = {
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      commit: gitCommit(),
      temporalCli: 'v1.5.1 (temporal server start-dev)',
      database: 'PostgreSQL, a scratch database per scenario (10k-warm reuses the cold 10k one)',
      limits: SETTING_LIMITS,
      appRates: Object.fromEntries(SETTINGS.map((k) => [k, appRateEnv(k)])) as Record<Setting, Record<string, string>>,
      settings,
      rtMaxConcurrency: config.rates.rtMaxConcurrency,
      tmdbMaxConcurrency: config.rates.tmdbMaxConcurrency,
      totalSeconds: round((Date.now() - startedAt) / 1000, 1),
      workflowBundle: bundle && { kb: bundle.kb, seconds: round(bundle.seconds, 1) },
      temporalFairness: fairness,
      compiledWorker,
      scenarios: results,
    };
    const written = writeOutputs(bench, args.outDir && path.resolve(args.outDir));
    say(`wrote ${written.join(', ')}`);
  }
  if (results.some((r) => r.status !== 'ok') || results.length < args.selected.length) process.exitCode = 1;
  say(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

await main();
