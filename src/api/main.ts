// A standalone API process: needs a Temporal server (TEMPORAL_ADDRESS or a temporal.toml profile) and a database; runs no worker.
import { Client } from '@temporalio/client';
import { connectClient } from '../temporal/connection.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { openDatabase } from '../db/index.js';
import { loadPayloadEncryption } from '../temporal/codec/payloadKeyFile.js';
import { loadApiKeys } from './protection/apiKeyFile.js';
import { securityOptions } from './protection/options.js';
import { createApp } from './app.js';

/** How long SIGTERM waits for in-flight requests before closing what is left. */
const DRAIN_MS = 10_000;

async function main() {
  const config = loadConfig();
  if (!config.temporal.target) throw new ConfigError('Set TEMPORAL_ADDRESS or a temporal.toml profile (the standalone API starts no dev server; `npm start` does)');
  // Workers and API processes must share the payload keys: PAYLOAD_KEYS, or one DATA_DIR.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${config.dataDir}/pglite` });
  const deployment = config.security.deployment ?? 'production';
  if (deployment === 'production' && !config.publicUrl) throw new ConfigError('Set PUBLIC_URL (where viewers reach this API): outside the local demo, links are never built from a request\'s Host header. DEPLOYMENT=local runs it as the demo.');
  const payload = loadPayloadEncryption({ payloadKeys: config.security.payloadKeys, dataDir: config.dataDir, db: db.db, refusePlaintext: deployment === 'production' });
  if (payload.source !== 'env') console.warn('PAYLOAD_KEYS is unset: using the local key file; every worker and API process must use the same keys');
  const apiKeys = loadApiKeys({ apiKeys: config.security.apiKeys, dataDir: config.dataDir });
  if (apiKeys.source !== 'env') console.warn(`API_KEYS is unset: the API key is in ${apiKeys.file}`);
  const connection = await connectClient(config.temporal.target);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: payload.dataConverter });
  const app = createApp({
    client,
    db: db.db,
    taskQueue: config.temporal.taskQueue,
    settings: config.pipeline,
    security: securityOptions(config, { apiKeys: apiKeys.keys, codec: payload.codec, deploymentByDefault: 'production' }),
    sessionKeys: payload.sessionKeys,
    rates: config.rates,
    publicUrl: config.publicUrl,
  });
  if (deployment === 'production' && !config.security.callbackSecret) console.warn('CALLBACK_SECRET is unset: GET /api/callback is not served (an unsigned callback would be anyone\'s to fire)');
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
    // Drain for a bounded time: an open progress stream (SSE) would otherwise hold close() forever.
    // Its clients reconnect (the stream sent `retry:`) to another instance.
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
