// The bench's worker process (spawned by bench/infra.ts, one per scenario): the product's worker
// process over the bench bundle, which adds the baseline workflows. bench/run.ts builds that bundle
// once (bench/bundle.ts) and passes its path in BENCH_WORKFLOW_BUNDLE, so the worker starts as the
// product's image does, without webpack; without it (a worker started by hand) it bundles the entry.
// The bench's environment (runner.ts workerEnv) sets every address and key, and no METRICS_PORT: it reads /proc instead.
import { fileURLToPath } from 'node:url';
import { runWorkerProcess } from '../src/worker/process.js';

await runWorkerProcess({
  workflowsPath: fileURLToPath(new URL('./baselines/bundle.ts', import.meta.url)),
  workflowBundlePath: process.env.BENCH_WORKFLOW_BUNDLE || undefined,
});
