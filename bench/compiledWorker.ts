// A one-off probe of the product's own start-up (`--probe-compiled`): `npm run build`, then the compiled
// worker (`node dist/src/worker/main.js`) with the image's prebuilt bundle (WORKFLOW_BUNDLE_PATH) over a
// scratch database and task queue, timed from spawn to polling both task queues, and its idle RSS. The
// bench's own workers still run under tsx; this is the number the image would show.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { newDatabase } from './database.js';
import { projectRoot, readProc, say, spawnWorker, waitForPollers } from './infra.js';
import { gitCommit } from './probes.js';
import { round } from './numbers.js';
import type { CompiledWorkerProbe } from './results.js';
import { type BenchEnv, NAMESPACE, workerEnv } from './runner.js';

/** Seconds for a fresh `node` to import `specifier` (from the project root) and exit. */
function timeImport(specifier: string): number {
  const started = Date.now();
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`], { cwd: projectRoot, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`importing ${specifier} failed: ${res.stderr}`);
  return round((Date.now() - started) / 1000, 2);
}

export async function probeCompiledWorker(env: BenchEnv): Promise<CompiledWorkerProbe> {
  say('compiled worker: npm run build');
  const built = Date.now();
  const build = spawnSync('npm', ['run', 'build'], { cwd: projectRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed (${build.status}): ${(build.stderr || build.stdout).slice(-2000)}`);
  const buildSeconds = round((Date.now() - built) / 1000, 1);
  const bundle = path.join(projectRoot, 'dist/workflow-bundle.js');
  if (!existsSync(bundle)) throw new Error(`npm run build left no ${bundle}`);
  // Where start-up goes: loading the worker's module graph, and the biggest dependency in it.
  const importSeconds = timeImport(path.join(projectRoot, 'dist/src/worker/process.js'));
  const crawleeImportSeconds = timeImport('crawlee');

  const db = await newDatabase(env, 'compiled_probe');
  const taskQueue = `bench-${env.runTag}-compiled-probe`;
  const workerEnvironment = { ...workerEnv({ ...env, workflowBundlePath: undefined }, db, taskQueue, { setting: 'fast' }), WORKFLOW_BUNDLE_PATH: bundle };
  const worker = spawnWorker(workerEnvironment, path.join(env.scratchDir, 'worker-compiled-probe.log'), { script: [path.join(projectRoot, 'dist/src/worker/main.js')] });
  env.cleanup.trackPid(worker.pid);
  try {
    const spawnedAt = Date.now();
    await waitForPollers(env.connection, NAMESPACE, taskQueue, worker, 60_000);
    const startupSeconds = round((Date.now() - spawnedAt) / 1000, 2);
    const rssMb = round(readProc(worker.pid).rssBytes / 2 ** 20, 1);
    say(`compiled worker: built in ${buildSeconds} s; polling ${startupSeconds} s after spawn, RSS ${rssMb} MB; importing its modules takes ${importSeconds} s (crawlee alone ${crawleeImportSeconds} s)`);
    return { measuredAt: new Date().toISOString(), commit: gitCommit(), buildSeconds, startupSeconds, rssMb, importSeconds, crawleeImportSeconds };
  } finally {
    await worker.stop();
    env.cleanup.untrackPid(worker.pid);
    await db.drop();
  }
}
