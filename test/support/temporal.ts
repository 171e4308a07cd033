// A real Temporal dev server for tests: TestWorkflowEnvironment.createLocal pointed at the pinned
// CLI (its own download cannot work offline), with our search attributes registered.
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { priorityArgs, searchAttributeArgs } from '../../src/temporal/devServer.js';
import { failureConverterPath } from '../../src/temporal/codec/payloadCodec.js';
import { workflowsPath } from '../../src/worker/createWorker.js';

/** `dataConverter` goes to `env.client`; workers on this env must use the same one (or none). */
export async function createTemporalEnv(options: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
  return TestWorkflowEnvironment.createLocal({
    client: options.dataConverter ? { dataConverter: options.dataConverter } : undefined,
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...searchAttributeArgs(), ...priorityArgs()],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds; one bundle serves every worker in a test process (encrypting or not: failures are encoded either way). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never });
  return bundle;
}
