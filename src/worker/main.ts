// A standalone worker (e.g. `docker compose up --scale worker=N`): needs TEMPORAL_ADDRESS and the
// real services' URLs and keys (there is no demo fallback); starts nothing else. Shuts down gracefully on SIGTERM/SIGINT.
import { ConfigError } from '../config/index.js';
import { runWorkerProcess } from './process.js';

runWorkerProcess().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
