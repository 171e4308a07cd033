// `npm run build`, last step: bundles the workflow code ahead, as the worker would at start, into
// dist/workflow-bundle.js. The image's worker loads it (WORKFLOW_BUNDLE_PATH): no webpack in the
// runtime image, no bundling at every start, and every worker runs byte-identical workflow code.
// The failure converter is compiled in here: a bundle cannot take it later, and every client
// encodes failures with it (src/temporal/codec/payloadCodec.ts).
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureConverterPath } from '../src/temporal/codec/payloadCodec.js';
import { workflowsPath } from '../src/worker/createWorker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(root, process.argv[2] ?? 'dist/workflow-bundle.js');

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quiet as never });
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`workflow bundle: ${path.relative(root, out)} (${Math.round(code.length / 1024)} kB) from ${path.relative(root, workflowsPath)}`);
