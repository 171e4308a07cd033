// Connecting the way Temporal's tools do (@temporalio/envconfig): a temporal.toml profile names the
// server, and the worker process, the API process and the CLI all reach it through that profile
// alone (no TEMPORAL_ADDRESS). Plus how a profile's TLS and API key settings are read.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { readTemporalTarget } from '../../src/config/temporalTarget.js';
import { type ApiProcess, startApiProcess } from '../support/faults/apiProcess.js';
import { type ProcessStack, startProcessStack } from '../support/faults/processStack.js';

let stack: ProcessStack;
let api: ApiProcess;
before(async () => {
  stack = await startProcessStack({ name: 'profile', temporalProfile: true });
  api = await startApiProcess(stack);
});
after(async () => {
  await api?.kill();
  await stack?.close();
});

test('the worker, the API and the CLI reach the dev server through a temporal.toml profile, with no TEMPORAL_ADDRESS', async () => {
  assert.equal(stack.workerEnv.TEMPORAL_ADDRESS, undefined);
  assert.equal(stack.workerEnv.TEMPORAL_PROFILE, 'showprint-test');
  // The worker process polls (the stack waited for it) and runs a session to the end.
  const run = await stack.startSession('demo-small');
  assert.equal((await stack.waitForSession(run, 120_000)).status, 'COMPLETED');
  // The API process reads it back over its own connection.
  const res = await fetch(`${api.url}/api/sessions/${run.sessionId}`, { headers: { authorization: `Bearer ${api.apiKey}` } });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { state: string }).state, 'COMPLETED');
  const ready = (await (await fetch(`${api.url}/api/control/readiness`, { headers: { authorization: `Bearer ${api.apiKey}` } })).json()) as { checks: { temporal: string } };
  assert.equal(ready.checks.temporal, 'ok');
  assert.deepEqual(await (await fetch(`${api.url}/readyz`)).json(), { ready: true });
  // The CLI replays the session's histories, found through the same profile.
  // Asynchronously: a blocked event loop would stall the worker's and the API's piped output.
  const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/showprint.ts', 'replay', run.sessionId], { env: stack.workerEnv });
  let out = '';
  cli.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  cli.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /histories replay deterministically/);
});

test('a profile carries the namespace, the API key and mTLS files; a missing profile or file is a readable error', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'showprint-profile-'));
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(path.join(dir, 'client.pem'), 'CERT');
  writeFileSync(path.join(dir, 'client.key'), 'KEY');
  writeFileSync(
    file,
    [
      '[profile.cloud]',
      'address = "my-ns.a1b2c.tmprl.cloud:7233"',
      'namespace = "my-ns.a1b2c"',
      '[profile.cloud.tls]',
      `client_cert_path = "${path.join(dir, 'client.pem')}"`,
      `client_key_path = "${path.join(dir, 'client.key')}"`,
      '[profile.keyed]',
      'address = "eu-west-1.aws.api.temporal.io:7233"',
      'namespace = "other.a1b2c"',
      'api_key = "secret-key"',
    ].join('\n'),
  );
  const cloud = readTemporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' })!;
  assert.equal(cloud.address, 'my-ns.a1b2c.tmprl.cloud:7233');
  assert.equal(cloud.namespace, 'my-ns.a1b2c');
  const tls = cloud.options.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
  assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), 'CERT');
  assert.equal(Buffer.from(tls.clientCertPair!.key).toString(), 'KEY');

  const keyed = readTemporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'keyed' })!;
  assert.equal(keyed.options.apiKey, 'secret-key');
  assert.ok(keyed.options.tls, 'an API key turns TLS on');
  // The environment overrides the profile, as for the temporal CLI.
  assert.equal(readTemporalTarget({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'keyed', TEMPORAL_NAMESPACE: 'override' })!.namespace, 'override');
  assert.equal(loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' }).temporal.namespace, 'my-ns.a1b2c');

  assert.throws(() => loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' }), /Temporal connection: Profile 'nope' not found/);
  assert.throws(() => loadConfig({ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') }), /TEMPORAL_CONFIG_FILE: .* does not exist/);
  assert.equal(loadConfig({}).temporal.target, undefined, 'nothing configured: no server (npm start runs one)');
});
