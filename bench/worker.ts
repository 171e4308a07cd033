// The bench's worker process (spawned by bench/infra.ts, one per scenario): the product's worker
// (createShowprintWorker: same activities, limits and options) over the bench bundle, which adds the
// baseline workflows. Unlike src/worker/main.ts it serves no metrics: the bench reads /proc instead.
import { NativeConnection, Runtime } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { loadConfig, requireEndpoints } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { createLogger, temporalLogger } from '../src/observability/logger.js';
import { loadPayloadEncryption } from '../src/temporal/codec/payloadKeyFile.js';
import { createShowprintWorker } from '../src/worker/createWorker.js';

const benchWorkflowsPath = fileURLToPath(new URL('./baselines/bundle.ts', import.meta.url));

const config = loadConfig();
// The bench's environment (bench/run.ts workerEnv) sets every address and key.
const { temporalAddress, ...endpoints } = requireEndpoints(config);
// Same logger as the product's worker, so both write (and pay for) the same log lines.
Runtime.install({ logger: temporalLogger(createLogger(config.logLevel, 'showprint-worker'), 'INFO') });
const payload = loadPayloadEncryption({ payloadKeys: config.security.payloadKeys, dataDir: config.dataDir });
const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
const connection = await NativeConnection.connect({ address: temporalAddress });
const worker = await createShowprintWorker({
  config,
  endpoints,
  db: db.db,
  connection,
  dataConverter: payload.dataConverter,
  workflowsPath: benchWorkflowsPath,
});
// SIGTERM (the bench's stop) shuts the worker down gracefully; run() resolves once it has.
await worker.run();
await connection.close();
await db.close();
