// A standalone worker (e.g. `docker compose up --scale worker=N`): needs TEMPORAL_ADDRESS and the
// service URLs; starts nothing else. Shuts down gracefully on SIGTERM/SIGINT.
import { NativeConnection } from '@temporalio/worker';
import { DEMO_GANDALF_PRIVATE_KEY } from '../clients/gandalf/signature.js';
import { ConfigError, loadConfig, requireEndpoints } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { createShowprintWorker } from './createWorker.js';

async function main() {
  const config = loadConfig();
  if (!config.temporal.address) throw new ConfigError('Set TEMPORAL_ADDRESS (a standalone worker starts no dev server; `npm start` does)');
  const endpoints = requireEndpoints(config, DEMO_GANDALF_PRIVATE_KEY);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createShowprintWorker({ config, endpoints, db: db.db, connection });
  // The SDK shuts down on SIGINT/SIGTERM by default: stop polling, finish in-flight tasks.
  await worker.run();
  await connection.close();
  await db.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
