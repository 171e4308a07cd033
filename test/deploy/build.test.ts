// `npm run build`'s steps, into a scratch directory: the compiled product runs with plain node (no
// tsx), holds nothing but the product, and the prebuilt workflow bundle replays recorded sessions.
// Not into dist/ itself: a dist/ left behind would be linted, and another run may be reading it. The
// scratch directory sits inside the repo so the compiled files resolve node_modules as dist/ does.
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { workflowIdFromFileName } from '../support/histories.js';

const out = path.resolve('test/artifacts', `build-${process.pid}`);
const tsc = path.resolve('node_modules/typescript/bin/tsc');

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, args, { encoding: 'utf8', env, timeout: 180_000 });
}

before(() => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  // The same steps as the build script, with the output directory swapped.
  assert.equal(pkg.scripts.build, 'rm -rf dist && tsc -p tsconfig.build.json && cp -R src/api/web dist/src/api/web && tsx scripts/build-workflow-bundle.ts');
  mkdirSync(out, { recursive: true });
  const compiled = run([tsc, '-p', 'tsconfig.build.json', '--outDir', out]);
  assert.equal(compiled.status, 0, compiled.stdout + compiled.stderr);
  cpSync('src/api/web', path.join(out, 'src/api/web'), { recursive: true });
  const bundled = run(['--import', 'tsx', 'scripts/build-workflow-bundle.ts', path.join(out, 'workflow-bundle.js')]);
  assert.equal(bundled.status, 0, bundled.stdout + bundled.stderr);
});

after(() => rmSync(out, { recursive: true, force: true }));

test('the build holds the product only: src, workflows, activities, the page and the bundle', () => {
  assert.deepEqual(readdirSync(out).sort(), ['activities', 'src', 'workflow-bundle.js', 'workflows']);
  for (const file of ['src/api/main.js', 'src/worker/main.js', 'workflows/index.js', 'activities/index.js', 'src/api/web/index.html', 'src/api/web/app.js']) {
    assert.ok(existsSync(path.join(out, file)), `missing ${file}`);
  }
  assert.ok(!existsSync(path.join(out, 'src/standins')), 'stand-ins in the build');
});

test('the compiled worker runs with plain node and, given nothing, names what is missing', () => {
  const result = run([path.join(out, 'src/worker/main.js')], { PATH: process.env.PATH, HOME: process.env.HOME });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /missing: TEMPORAL_ADDRESS, GANDALF_URL, GANDALF_PRIVATE_KEY, TMDB_URL, TMDB_API_KEY, RT_URL/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'a readable message, not a stack trace');
});

test('the prebuilt workflow bundle loads and replays a recorded session and its children', async () => {
  const histories = readdirSync('test/histories')
    .filter((f) => f.startsWith('session-completed-small') && f.endsWith('.json'))
    .map((f) => ({ workflowId: workflowIdFromFileName(f), history: JSON.parse(readFileSync(path.join('test/histories', f), 'utf8')) as unknown }));
  assert.ok(histories.length > 1);
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: path.join(out, 'workflow-bundle.js') }, replayName: 'prebuilt' }, histories as never)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
});
