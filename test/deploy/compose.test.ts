// docker-compose.yml can't run here (no Docker engine), so it is checked by parsing: the services
// exist, ports match, the worker can scale, the app runs compiled code, and every variable it sets is
// one the app reads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { envSchema, loadConfig } from '../../src/config/index.js';
import { WORKER_NODE_FLAGS } from '../../src/worker/heap.js';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: unknown;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

test('has PostgreSQL, Temporal on it, the UI, the worker and the API', () => {
  for (const name of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api']) assert.ok(services[name], `missing ${name}`);
  assert.equal(services.temporal.environment?.DB, 'postgres12');
  assert.equal(services.temporal.environment?.POSTGRES_SEEDS, 'postgres');
});

test('ports: API 3000, Web UI 8233, Temporal 7233; the worker publishes none so it can scale', () => {
  assert.ok(services.api.ports?.includes('127.0.0.1:3000:3000'));
  assert.ok(services['temporal-ui'].ports?.some((p) => p.startsWith('127.0.0.1:8233:')));
  assert.ok(services.temporal.ports?.includes('127.0.0.1:7233:7233'));
  assert.equal(services.worker.ports, undefined);
});

/** The host address a compose port entry binds: `[host:]hostPort:containerPort[/proto]`, or a long-form mapping. */
function publishedHost(entry: unknown): string {
  if (typeof entry === 'object' && entry !== null) return String((entry as { host_ip?: string }).host_ip ?? '0.0.0.0');
  const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
  return parts.length >= 3 ? parts.slice(0, -2).join(':').replace(/^\[|\]$/g, '') : '0.0.0.0';
}

test('no port is published beyond loopback: Temporal and its Web UI have no authentication here', () => {
  const isLoopback = (host: string) => host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost';
  for (const [name, service] of Object.entries(services)) {
    for (const entry of service.ports ?? []) assert.ok(isLoopback(publishedHost(entry)), `${name} publishes ${JSON.stringify(entry)} on ${publishedHost(entry)}`);
  }
  // The check itself: a bare or all-interfaces entry is caught.
  assert.equal(publishedHost('7233:7233'), '0.0.0.0');
  assert.equal(publishedHost('0.0.0.0:8233:8080'), '0.0.0.0');
  assert.equal(publishedHost({ target: 3000, published: 3000 }), '0.0.0.0');
});

test('the secrets a real deployment needs are required: compose stops with a message when one is missing', () => {
  const raw = readFileSync('docker-compose.yml', 'utf8');
  for (const name of ['CALLBACK_SECRET', 'VIEWER_TOKEN_SECRET', 'CODEC_TOKEN_SECRET', 'PAYLOAD_KEYS', 'API_KEYS', 'PUBLIC_URL']) {
    assert.match(raw, new RegExp(`\\$\\{${name}:\\?[^}]+\\}`), `${name} is required (\${${name}:?message})`);
  }
  for (const name of ['worker', 'api']) assert.equal(services[name].environment?.DEPLOYMENT, 'production', `${name} runs as production`);
});

test('compose sets no rate the configuration sets better: each rate is empty unless the operator sets it', () => {
  const raw = readFileSync('docker-compose.yml', 'utf8');
  for (const name of ['GANDALF_RPS', 'TMDB_RPS', 'RT_RPS', 'WIKIDATA_RPS', 'RT_MAX_CONCURRENCY']) {
    const m = new RegExp(`${name}:\\s*(.+)`).exec(raw);
    if (!m) continue;
    assert.equal(m[1].trim(), `\${${name}:-}`, `${name} defaults to the configuration's own value, not ${m[1].trim()}`);
  }
  // What that means for the real RT: the configuration's polite rate, not a compose override.
  const env = { RT_URL: 'https://www.rottentomatoes.com', RT_RPS: '' };
  assert.equal(loadConfig(env).rates.rt, 2);
});

test('the app containers are built from the repo and run compiled entry points with plain node', () => {
  assert.ok(existsSync('Dockerfile'));
  for (const name of ['worker', 'api']) {
    assert.equal(services[name].build, '.');
    const command = services[name].command ?? [];
    assert.equal(command[0], 'node', `${name} runs node`);
    assert.ok(!command.some((arg) => /tsx|--import|--loader/.test(arg)), `${name} runs without a TypeScript loader: ${command.join(' ')}`);
    // dist/ exists only after `npm run build` (it is what the image holds): check the source it compiles.
    const entry = command.at(-1) ?? '';
    assert.match(entry, /^dist\/.+\.js$/, `${name} runs ${entry}`);
    const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    assert.ok(existsSync(source), `${name} runs ${entry}, compiled from ${source}, which does not exist`);
  }
  assert.equal(services.worker.command?.at(-1), 'dist/src/worker/main.js');
  // The worker runs with the heap budget the bench measured (src/worker/heap.ts), here and in `npm run worker`.
  for (const flag of WORKER_NODE_FLAGS) {
    assert.ok(services.worker.command?.includes(flag), `the compose worker runs with ${flag}`);
    assert.ok(packageJson.scripts.worker.includes(flag), `npm run worker runs with ${flag}`);
  }
  assert.equal(services.api.command?.at(-1), 'dist/src/api/main.js');
});

test('every variable given to the app is one the configuration module reads', () => {
  const known = new Set(Object.keys(envSchema.shape));
  for (const name of ['worker', 'api']) {
    const env = services[name].environment ?? {};
    for (const key of Object.keys(env)) assert.ok(known.has(key), `${name} sets ${key}, which src/config does not read`);
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.match(env.DATABASE_URL, /^postgres:\/\/.*@postgres:5432\//);
  }
});

test('the search attributes the workflows upsert are registered', () => {
  const setup = JSON.stringify(services['temporal-setup']);
  for (const attribute of ['SessionState', 'SessionProgress', 'DataSource']) assert.ok(setup.includes(`--name ${attribute}`));
});
