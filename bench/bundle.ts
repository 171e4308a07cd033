// The bench's workflow bundle, built once per invocation: bench/baselines/bundle.ts (the product's
// workflows plus the baselines) with the failure converter every client encodes with, exactly as
// scripts/build-workflow-bundle.ts builds the product's. Every bench worker loads it (BENCH_WORKFLOW_BUNDLE),
// so a worker's start-up and memory are the product's with a prebuilt bundle, not webpack's.
//
// Run as its own process (`node --import tsx bench/bundle.ts <out>`), so webpack's memory and CPU never
// sit in the bench process that hosts the stand-ins; buildBenchBundle does that and times it.
import { bundleWorkflowCode } from '@temporalio/worker';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureConverterPath } from '../src/temporal/codec/payloadCodec.js';

const self = fileURLToPath(import.meta.url);
const entry = fileURLToPath(new URL('./baselines/bundle.ts', import.meta.url));

export interface BenchBundle {
  codePath: string;
  kb: number;
  seconds: number;
}

/** Bundles into `dir`/workflow-bundle.js in a child process; throws with its output when it fails. */
export function buildBenchBundle(dir: string): BenchBundle {
  const codePath = path.join(dir, 'workflow-bundle.js');
  const started = Date.now();
  const res = spawnSync(process.execPath, ['--import', 'tsx', self, codePath], { cwd: path.dirname(path.dirname(self)), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`bundling the bench workflows failed (${res.status ?? res.signal}): ${res.stderr || res.stdout}`);
  return { codePath, kb: Number(res.stdout.trim()), seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] === self) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: node --import tsx bench/bundle.ts <out.js>');
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: entry, failureConverterPath, logger: quiet as never });
  writeFileSync(out, code);
  console.log(Math.round(code.length / 1024)); // kB, read by buildBenchBundle
}
