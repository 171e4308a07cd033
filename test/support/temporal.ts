// A real Temporal dev server for tests: TestWorkflowEnvironment.createLocal pointed at the pinned
// CLI (its own download cannot work offline), with our search attributes registered.
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { priorityArgs, searchAttributeArgs } from '../../src/temporal/devServer.js';
import { failureConverterPath } from '../../src/temporal/codec/payloadCodec.js';
import { workflowsPath } from '../../src/worker/createWorker.js';

export interface TemporalEnvOptions {
  /** Goes to `env.client`; workers on this env must use the same one (or none). */
  dataConverter?: DataConverter;
  /** Fairness keys honoured (default true); off to measure what they change. */
  fairness?: boolean;
  /**
   * One partition per task queue instead of four: one backlog in one order, so a test can assert
   * the order the server dispatches in (with four, the poller's pick of partition adds noise).
   */
  singlePartition?: boolean;
}

export async function createTemporalEnv(options: TemporalEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const path = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
  const partitions = options.singlePartition ? ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1'].flatMap((v) => ['--dynamic-config-value', v]) : [];
  return TestWorkflowEnvironment.createLocal({
    client: options.dataConverter ? { dataConverter: options.dataConverter } : undefined,
    server: {
      executable: { type: 'existing-path', path },
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...searchAttributeArgs(), ...priorityArgs({ fairness: options.fairness }), ...partitions],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds; one bundle serves every worker in a test process (encrypting or not: failures are encoded either way). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never });
  return bundle;
}
