// The API key of a machine without API_KEYS: generated once into DATA_DIR (mode 0600), then reused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadApiKeys } from '../../src/api/protection/apiKeyFile.js';
import { loadConfig } from '../../src/config/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'showprint-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('without API_KEYS a local API key is generated once (mode 0600) and reused', () => {
  const first = loadApiKeys({ dataDir: dir });
  assert.equal(first.source, 'generated');
  assert.ok(first.keys[0].length >= 32);
  assert.equal(statSync(path.join(dir, 'api-key')).mode & 0o777, 0o600);
  const second = loadApiKeys({ dataDir: dir });
  assert.equal(second.source, 'file');
  assert.deepEqual(second.keys, first.keys);
  assert.deepEqual(loadApiKeys({ dataDir: dir, apiKeys: ['configured-key-0123456789'] }).keys, ['configured-key-0123456789']);
  assert.throws(() => loadConfig({ API_KEYS: 'short' }), /API_KEYS: item 1 must be a key of at least 16 characters/);
});

test('API_KEYS entries may carry scopes (`<key>:read+write+admin`); unknown scopes are refused without echoing the key', () => {
  assert.deepEqual(loadConfig({ API_KEYS: 'configured-key-0123456789:read+admin,other-key-0123456789' }).security.apiKeys, [
    'configured-key-0123456789:read+admin',
    'other-key-0123456789',
  ]);
  assert.throws(() => loadConfig({ API_KEYS: 'configured-key-0123456789:read+root' }), (error: Error) => {
    assert.match(error.message, /API_KEYS: item 1 has unknown scopes "root"/);
    assert.ok(!error.message.includes('configured-key-0123456789'), 'the message never holds the key');
    return true;
  });
  assert.throws(() => loadConfig({ API_KEYS: 'short:read' }), /API_KEYS: item 1 must be a key of at least 16 characters/);
});
