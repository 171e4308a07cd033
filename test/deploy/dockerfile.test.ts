// The Dockerfile can't be built here (no Docker engine), so it is checked by parsing: a build stage
// compiles and bundles; the runtime stage holds production dependencies and dist/ only, and runs
// compiled JavaScript with plain node.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

interface Instruction { op: string; args: string }
interface Stage { from: string; name?: string; instructions: Instruction[] }

/** Instructions per stage; continuation lines joined, comments dropped. Enough for this one file. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    assert.ok(op, `unparsed line: ${line}`);
    if (op.toUpperCase() === 'FROM') {
      const [from, , name] = args.split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${op} before FROM`);
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync('Dockerfile', 'utf8'));
const build = stages.find((s) => s.name === 'build');
const runtime = stages.at(-1)!;
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
/** COPY's sources (everything but the last word and the --flags). */
const copySources = (stage: Stage) =>
  all(stage, 'COPY').flatMap((args) => args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));

test('two stages on Node 20: a build stage, then the runtime', () => {
  assert.ok(build, 'a stage named build');
  assert.notEqual(runtime, build);
  for (const stage of stages) assert.match(stage.from, /^node:20/);
});

test('the build stage installs everything, copies the product and its build files, and runs npm run build', () => {
  assert.ok(all(build!, 'RUN').some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev')));
  assert.ok(all(build!, 'RUN').includes('npm run build'));
  const sources = copySources(build!);
  for (const needed of ['src', 'workflows', 'activities', 'tsconfig.build.json', 'scripts/build-workflow-bundle.ts']) assert.ok(sources.includes(needed), `build stage copies ${needed}`);
  for (const source of sources) assert.ok(existsSync(source), `build stage copies ${source}, which does not exist`);
  for (const outside of ['standins', 'bench', 'test', '.']) assert.ok(!sources.includes(outside), `build stage copies ${outside}`);
});

test('the runtime stage holds production dependencies and dist/ only', () => {
  assert.ok(all(runtime, 'RUN').some((r) => /^npm ci\b.*--omit=dev/.test(r)), 'npm ci --omit=dev');
  const copies = all(runtime, 'COPY');
  const fromBuild = copies.filter((c) => c.startsWith('--from='));
  assert.deepEqual(fromBuild, ['--from=build /app/dist ./dist']);
  const local = copySources({ ...runtime, instructions: runtime.instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from=')) });
  assert.deepEqual(local.sort(), ['package-lock.json', 'package.json']);
  assert.equal(all(runtime, 'ENV').find((e) => e.startsWith('NODE_ENV')), 'NODE_ENV=production');
  assert.ok(all(runtime, 'USER').includes('node'), 'runs as the unprivileged node user');
});

test('the worker in the image runs the prebuilt workflow bundle that npm run build writes', () => {
  const bundle = all(runtime, 'ENV').find((e) => e.startsWith('WORKFLOW_BUNDLE_PATH='));
  assert.equal(bundle, 'WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.build, /tsc -p tsconfig\.build\.json/);
  assert.match(pkg.scripts.build, /scripts\/build-workflow-bundle\.ts/);
});

test('CMD runs the compiled API with plain node, no TypeScript loader', () => {
  const cmd = all(runtime, 'CMD');
  assert.equal(cmd.length, 1);
  assert.deepEqual(JSON.parse(cmd[0]), ['node', 'dist/src/api/main.js']);
  assert.ok(existsSync('src/api/main.ts'), 'dist/src/api/main.js is compiled from src/api/main.ts');
});
