// A worker process over real services: configuration, logging, metrics, payload keys, database
// and connection around createShowprintWorker, with graceful shutdown on SIGTERM/SIGINT. Shared by
// the standalone worker (main.ts) and the bench's worker, which loads a bundle of another entry.
import { Runtime } from '@temporalio/worker';
import { connectNative } from '../temporal/connection.js';
import { createServer } from 'node:http';
import { loadConfig, requireEndpoints } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { createLogger, temporalLogger } from '../observability/logger.js';
import { scrape } from '../observability/metrics.js';
import { loadPayloadEncryption } from '../temporal/codec/payloadKeyFile.js';
import { createShowprintWorker } from './createWorker.js';
import { ensureRetentionSchedule } from '../temporal/retention.js';
import { ensureCatalogSchedule } from '../temporal/catalogSchedule.js';
import { Client } from '@temporalio/client';

export interface WorkerProcessOptions {
  /** Bundle this entry instead of the product's workflows (the bench adds its baselines). */
  workflowsPath?: string;
  /**
   * Load this bundle, built ahead by bundleWorkflowCode (with payloadCodec's failureConverterPath),
   * instead of bundling at start: no webpack in the worker's time or memory. Wins over workflowsPath.
   */
  workflowBundlePath?: string;
}

/** Runs until the worker has shut down. */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<void> {
  const config = loadConfig();
  const { temporal, ...endpoints } = requireEndpoints(config);
  // Only when asked: several workers on one host would otherwise fight over one port.
  const sdkPort = config.env.SDK_METRICS_PORT;
  Runtime.install({
    logger: temporalLogger(createLogger(config.logLevel, 'showprint-worker'), 'INFO'),
    telemetryOptions: sdkPort ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${sdkPort}` } } } : undefined,
  });
  // With METRICS_PORT set, this worker serves its own /metrics (ours plus the SDK's).
  const metricsServer = config.env.METRICS_PORT
    ? createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end();
        void scrape(sdkPort ? `http://127.0.0.1:${sdkPort}/metrics` : undefined).then((text) => res.writeHead(200, { 'content-type': 'text/plain' }).end(text));
      }).listen(config.env.METRICS_PORT)
    : undefined;
  // Workers and API processes must share the payload keys: PAYLOAD_KEYS, or one DATA_DIR.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
  // A standalone worker serves a real deployment unless DEPLOYMENT=local says otherwise.
  const refusePlaintext = (config.security.deployment ?? 'production') === 'production';
  const payload = loadPayloadEncryption({ payloadKeys: config.security.payloadKeys, dataDir: config.dataDir, db: db.db, refusePlaintext });
  if (payload.source !== 'env') console.warn('PAYLOAD_KEYS is unset: using the local key file; every worker and API process must use the same keys');
  const connection = await connectNative(temporal);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: payload.dataConverter });
  // Retention is the worker's to keep: every worker start brings the schedule in line with RETENTION.
  await ensureRetentionSchedule(client, {
    retentionMs: config.security.retentionMs,
    taskQueue: config.temporal.taskQueue,
  });
  // So is the daily catalog crawl that pre-warms the show cache (src/temporal/catalogSchedule.ts).
  await ensureCatalogSchedule(client, { taskQueue: config.temporal.taskQueue, everyMs: config.catalog.everyMs, settings: { showCacheTtlMs: config.pipeline.showCacheTtlMs, target: config.catalog.target, rounds: config.catalog.rounds } });
  const worker = await createShowprintWorker({
    config,
    endpoints,
    db: db.db,
    connection,
    dataConverter: payload.dataConverter,
    sessionKeys: payload.sessionKeys,
    workflowsPath: options.workflowsPath,
    workflowBundle: options.workflowBundlePath ? { codePath: options.workflowBundlePath } : undefined,
  });
  // The SDK shuts down on the first SIGINT/SIGTERM: stop polling, let in-flight activities finish
  // within shutdownGraceTime. A second signal means "now": the server retries what was in flight.
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (++signals < 2) return;
      console.error(`second ${signal}: exiting without waiting for in-flight activities`);
      process.exit(1);
    });
  }
  await worker.run();
  metricsServer?.close();
  await connection.close();
  await db.close();
}
