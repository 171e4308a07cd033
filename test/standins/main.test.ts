import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const mainPath = fileURLToPath(new URL('../../standins/main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

test('main.ts prints one JSON line of URLs and exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', mainPath], {
    env: { ...process.env, TMDB_API_KEY: 'main-test-key', STANDIN_LIMITS: '{"tmdb":{"latencyMs":0,"jitterMs":0}}' },
    cwd: repoRoot, // so `--import tsx` resolves from the project's node_modules
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.once('line', resolve);
      child.once('exit', () => reject(new Error('exited before printing')));
    });
    const { standins } = JSON.parse(line) as { standins: Record<string, string> };
    assert.deepEqual(Object.keys(standins).sort(), ['gandalf', 'openai', 'rt', 'tmdb', 'wikidata']);
    const res = await fetch(`${standins.tmdb}/search/tv?query=harbor&api_key=main-test-key`);
    assert.equal(res.status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
});
