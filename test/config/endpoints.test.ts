// A standalone worker has no demo fallback: pointed at real services, it refuses to start until every
// URL and key is configured, and says which are missing. The demo values live in standins/ only.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, requireEndpoints } from '../../src/config/index.js';
import { DEMO_DATA_KEYS, DEMO_SERVICE_KEYS } from '../../standins/demoKeys.js';

const urls = {
  TEMPORAL_ADDRESS: 'temporal:7233',
  GANDALF_URL: 'https://sauron.gandalf.network/public/gql',
  TMDB_URL: 'https://api.themoviedb.org/3',
  RT_URL: 'https://www.rottentomatoes.com',
};
const keys = { GANDALF_PRIVATE_KEY: 'ab'.repeat(32), TMDB_API_KEY: 'real-tmdb-key' };

function missingOf(env: Record<string, string>): string[] {
  try {
    requireEndpoints(loadConfig(env));
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return /missing: ([^.]+)\./.exec(error.message)![1].split(', ');
  }
  return [];
}

test('with nothing configured, the error names every URL and key', () => {
  assert.deepEqual(missingOf({}), ['TEMPORAL_ADDRESS', 'GANDALF_URL', 'GANDALF_PRIVATE_KEY', 'TMDB_URL', 'TMDB_API_KEY', 'RT_URL']);
});

test('real URLs without keys: no demo fallback, the keys are named', () => {
  assert.deepEqual(missingOf(urls), ['GANDALF_PRIVATE_KEY', 'TMDB_API_KEY']);
  assert.deepEqual(missingOf({ ...urls, GANDALF_PRIVATE_KEY: keys.GANDALF_PRIVATE_KEY }), ['TMDB_API_KEY']);
});

test('the LLM is optional, but once OPENAI_BASE_URL is set its key is required', () => {
  assert.deepEqual(missingOf({ ...urls, ...keys }), []);
  assert.deepEqual(missingOf({ ...urls, ...keys, OPENAI_BASE_URL: 'https://api.openai.com/v1' }), ['OPENAI_API_KEY']);
});

test('everything configured: the endpoints carry exactly the configured keys', () => {
  const endpoints = requireEndpoints(loadConfig({ ...urls, ...keys }));
  assert.equal(endpoints.temporal.address, 'temporal:7233');
  assert.equal(endpoints.gandalfPrivateKey, keys.GANDALF_PRIVATE_KEY);
  assert.equal(endpoints.tmdbApiKey, 'real-tmdb-key');
  assert.equal(endpoints.openaiApiKey, undefined);
  assert.equal(endpoints.wikidataUrl, 'https://query.wikidata.org/sparql');
});

function productFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? productFiles(file) : /\.(ts|js|html)$/.test(name) ? [file] : [];
  });
}

test('the product (src, workflows, activities) holds no demo key or demo dataKey', () => {
  const values = [...Object.values(DEMO_SERVICE_KEYS), ...DEMO_DATA_KEYS.map((k) => k.key)];
  const found: string[] = [];
  for (const file of ['src', 'workflows', 'activities'].flatMap(productFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const value of values) {
      if (text.includes(value)) found.push(`${file}: ${value}`);
    }
  }
  assert.deepEqual(found, []);
});
