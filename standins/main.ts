// CLI: start the stand-ins and print their URLs as one JSON line, e.g.
//   STANDIN_TMDB_PORT=8790 npx tsx standins/main.ts
//   → {"standins":{"gandalf":"http://127.0.0.1:…/public/gql","tmdb":"http://127.0.0.1:8790/3",…},"demo":{…}}
// `demo` carries the demo keys and dataKeys (demoKeys.ts), so the local stack can configure the
// worker and the API without the product holding any demo value.
// Env: STANDIN_{GANDALF,TMDB,RT,OPENAI,WIKIDATA}_PORT, GANDALF_PRIVATE_KEY, TMDB_API_KEY, OPENAI_API_KEY,
// STANDIN_LIMITS (JSON, e.g. {"tmdb":{"rps":40,"faultRate":0.05}}), STANDIN_OPENAI_INVALID_RATE,
// STANDIN_GANDALF_INT64_STRINGS=1 (Gandalf sends total/limit/page as strings, read by the Gandalf stand-in itself).
import { publicKeyHexFromPrivate } from '../src/clients/gandalf/signature.js';
import { DEMO_DATA_KEYS, DEMO_SERVICE_KEYS } from './demoKeys.js';
import { startStandins } from './index.js';
import type { Limits, ServiceName } from './limits.js';

function port(name: string): number {
  const raw = process.env[name];
  if (!raw) return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got ${raw}`);
  return n;
}

const limits = process.env.STANDIN_LIMITS
  ? (JSON.parse(process.env.STANDIN_LIMITS) as Partial<Record<ServiceName, Partial<Limits>>>)
  : undefined;

const standins = await startStandins({
  gandalfPublicKeyHex: publicKeyHexFromPrivate(process.env.GANDALF_PRIVATE_KEY || DEMO_SERVICE_KEYS.gandalfPrivateKey),
  tmdbApiKey: process.env.TMDB_API_KEY || DEMO_SERVICE_KEYS.tmdbApiKey,
  openaiApiKey: process.env.OPENAI_API_KEY || DEMO_SERVICE_KEYS.openaiApiKey,
  limits,
  openaiInvalidRate: process.env.STANDIN_OPENAI_INVALID_RATE ? Number(process.env.STANDIN_OPENAI_INVALID_RATE) : undefined,
  ports: {
    gandalf: port('STANDIN_GANDALF_PORT'),
    tmdb: port('STANDIN_TMDB_PORT'),
    rt: port('STANDIN_RT_PORT'),
    openai: port('STANDIN_OPENAI_PORT'),
    wikidata: port('STANDIN_WIKIDATA_PORT'),
  },
});

// Only the demo constants, never a key given in the environment (that one the caller already has).
process.stdout.write(`${JSON.stringify({ standins: standins.urls, demo: { ...DEMO_SERVICE_KEYS, dataKeys: DEMO_DATA_KEYS } })}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`standins: ${signal}, closing\n`);
  standins.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`standins: close failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
