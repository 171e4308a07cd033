// Rate defaults follow the service they point at: the real Rotten Tomatoes is crawled politely.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';

test('RT_RPS defaults to 2/s against the real site, 20/s against a stand-in, and a set value always wins', () => {
  assert.equal(loadConfig({ RT_URL: 'https://www.rottentomatoes.com' }).rates.rt, 2);
  assert.equal(loadConfig({ RT_URL: 'http://127.0.0.1:4000' }).rates.rt, 20);
  assert.equal(loadConfig({}).rates.rt, 20);
  assert.equal(loadConfig({ RT_URL: 'https://www.rottentomatoes.com', RT_RPS: '5' }).rates.rt, 5);
  assert.throws(() => loadConfig({ RT_RPS: '0' }), /RT_RPS/);
});
