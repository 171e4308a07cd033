// A standalone API process: needs TEMPORAL_ADDRESS and a database; runs no worker.
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { createApp } from './app.js';

async function main() {
  const config = loadConfig();
  if (!config.temporal.address) throw new ConfigError('Set TEMPORAL_ADDRESS (the standalone API starts no dev server; `npm start` does)');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ client, db: db.db, taskQueue: config.temporal.taskQueue, settings: config.pipeline });
  const server = app.listen(config.port, () => console.log(`showprint API listening on :${config.port}`));
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1); // a second signal forces exit
    stopping = true;
    server.close(async () => {
      await connection.close();
      await db.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
