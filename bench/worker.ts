// The bench's worker process (spawned by bench/infra.ts, one per scenario): the product's worker
// process over the bench bundle, which adds the baseline workflows. The bench's environment
// (bench/run.ts workerEnv) sets every address and key, and no METRICS_PORT: it reads /proc instead.
import { fileURLToPath } from 'node:url';
import { runWorkerProcess } from '../src/worker/process.js';

await runWorkerProcess({ workflowsPath: fileURLToPath(new URL('./baselines/bundle.ts', import.meta.url)) });
