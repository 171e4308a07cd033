// scripts/ensure-temporal.sh (and ensureTemporalCli, which runs it): which source wins, that every
// choice is said on a cold start and nothing on a warm one, progress while it works, advice when all
// fail. Everything runs in a sealed sandbox: fake `temporal` and `go`, loopback archive hosts, temp
// HOME and cache, and a PATH without this machine's own `go` or `temporal`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import {
  type Run,
  type Sandbox,
  VERSION,
  archiveName,
  buildArchive,
  closedPortUrl,
  createSandbox,
  fakeTemporal,
  runEnsureTemporal,
  startArchiveHost,
  startSilentHost,
} from '../support/ensureTemporalSandbox.js';

const goCommand = `install -v github.com/temporalio/cli/cmd/temporal@v${VERSION}`;
/** Fast knobs: a progress line every second, a one-second probe. */
const fast = { SHOWPRINT_PROGRESS_EVERY: '1', TEMPORAL_RELEASE_PROBE_TIMEOUT: '1' };

async function inSandbox(fn: (box: Sandbox) => Promise<void>, options: { withoutCurl?: boolean } = {}): Promise<void> {
  const box = createSandbox(options);
  try {
    await fn(box);
  } finally {
    box.remove();
  }
}

function lastLine(run: Run): string {
  return run.stdout.trim().split('\n').at(-1) ?? '';
}

/** The progress lines of a step ("building Temporal CLI v1.5.1… 2s (…)"). */
function ticks(run: Run, step: string) {
  return run.lines.filter((l) => l.text.startsWith(`ensure-temporal: ${step}… `));
}

test('temporal on PATH wins over the cache, and a warm start prints nothing', async () => {
  await inSandbox(async (box) => {
    const onPath = fakeTemporal(path.join(box.fakeBin, 'temporal'));
    fakeTemporal(box.cachedCli);
    box.fakeGo();
    const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${onPath}\n`, 'stdout is only the path');
    assert.equal(run.stderr, '', 'a warm start says nothing');
    assert.deepEqual(box.goCalls(), []);

    const verbose = await runEnsureTemporal({ ...box.env, ENSURE_TEMPORAL_VERBOSE: '1' });
    assert.equal(lastLine(verbose), onPath);
    assert.match(verbose.stderr, /^ensure-temporal: using temporal on PATH \(.+\/fake-bin\/temporal\)$/m);
  });
});

test('TEMPORAL_CLI_PATH wins when it is the pinned version; a wrong one is said and passed over', async () => {
  await inSandbox(async (box) => {
    const explicit = fakeTemporal(path.join(box.root, 'explicit', 'temporal'));
    const onPath = fakeTemporal(path.join(box.fakeBin, 'temporal'));
    const chosen = await runEnsureTemporal({ ...box.env, TEMPORAL_CLI_PATH: explicit });
    assert.equal(chosen.stdout, `${explicit}\n`);
    assert.equal(chosen.stderr, '');

    const old = fakeTemporal(path.join(box.root, 'old', 'temporal'), 'temporal version 1.4.0 (old)');
    const passedOver = await runEnsureTemporal({ ...box.env, TEMPORAL_CLI_PATH: old });
    assert.equal(passedOver.stdout, `${onPath}\n`);
    assert.match(passedOver.stderr, /TEMPORAL_CLI_PATH=.+\/old\/temporal is not the Temporal CLI v1\.5\.1 \(temporal version 1\.4\.0 \(old\)\); looking elsewhere/);
  });
});

test('the cache wins over the release archive and go, silently', async () => {
  await inSandbox(async (box) => {
    fakeTemporal(path.join(box.fakeBin, 'temporal'), 'temporal version 1.5.10 (not ours)');
    fakeTemporal(box.cachedCli);
    box.fakeGo();
    const host = await startArchiveHost(buildArchive(box.root));
    try {
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: host.baseUrl });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${box.cachedCli}\n`);
      assert.equal(run.stderr, '');
      assert.deepEqual(host.requests, [], 'the archive host was not asked');
      assert.deepEqual(box.goCalls(), []);
    } finally {
      await host.close();
    }
  });
});

test('without SHOWPRINT_CACHE_DIR the cache is $XDG_CACHE_HOME/showprint, else ~/.cache/showprint', async () => {
  await inSandbox(async (box) => {
    const { SHOWPRINT_CACHE_DIR: _, ...env } = box.env;
    const inHome = fakeTemporal(path.join(box.home, '.cache', 'showprint', 'bin', 'temporal'));
    assert.equal((await runEnsureTemporal(env)).stdout, `${inHome}\n`);
    const xdg = path.join(box.root, 'xdg');
    const inXdg = fakeTemporal(path.join(xdg, 'showprint', 'bin', 'temporal'));
    assert.equal((await runEnsureTemporal({ ...env, XDG_CACHE_HOME: xdg })).stdout, `${inXdg}\n`);
  });
});

test('the release archive is used when its host answers (go is not run), with download progress', async () => {
  await inSandbox(async (box) => {
    box.fakeGo();
    // About 400 KB in 5 pieces 0.6 s apart: a 2.4 s download.
    const host = await startArchiveHost(buildArchive(box.root, { padBytes: 400_000 }), { chunks: 5, chunkDelayMs: 600 });
    try {
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: host.baseUrl });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${box.cachedCli}\n`, 'stdout is only the path');
      assert.deepEqual(box.goCalls(), [], 'go is not run when the archive works');
      const release = `/v${VERSION}/${archiveName()}`;
      assert.deepEqual(host.requests, [`HEAD ${release}`, `GET ${release}`, 'GET /asset/cli.tar.gz'], 'one quick probe, then the download');

      // Every choice, in order.
      const said = run.lines.map((l) => l.text);
      const expected = [
        /^ensure-temporal: no temporal on PATH$/,
        /^ensure-temporal: no Temporal CLI cached in .+\/cache\/bin$/,
        /^ensure-temporal: fetching Temporal CLI v1\.5\.1 into .+\/cache\/bin \(once; later starts find it there\)$/,
        /^ensure-temporal: downloading the release archive http:\/\/127\.0\.0\.1:\d+\/v1\.5\.1\/temporal_cli_1\.5\.1_\w+_\w+\.tar\.gz$/,
      ];
      expected.forEach((re, i) => assert.match(said[i], re));
      assert.match(said.at(-1)!, /^ensure-temporal: downloaded Temporal CLI v1\.5\.1 \(\d+ KB\) in \d+s: .+\/cache\/bin\/temporal$/);
      const progress = ticks(run, 'downloading Temporal CLI v1.5.1');
      assert.ok(progress.length >= 1, run.stderr);
      for (const tick of progress) assert.match(tick.text, /… \ds \(\d+ KB so far\)$/);
      assert.ok(progress.some((t) => Number(/\((\d+) KB/.exec(t.text)![1]) > 0), 'the bytes so far show');

      assert.match(readFileSync(box.cachedCli, 'utf8'), /fake release/);
      const warm = await runEnsureTemporal({ ...box.env, TEMPORAL_RELEASE_BASE_URL: host.baseUrl });
      assert.deepEqual([warm.stdout, warm.stderr], [`${box.cachedCli}\n`, ''], 'the next start finds it in the cache, silently');
    } finally {
      await host.close();
    }
  });
});

test('go builds the CLI when the archive host does not answer, with progress at least every interval', async () => {
  await inSandbox(async (box) => {
    box.fakeGo({ seconds: 3 });
    const host = await startSilentHost();
    try {
      const started = Date.now();
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: host.baseUrl });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `${box.cachedCli}\n`, 'stdout is only the path');
      assert.ok(host.connections() >= 1, 'the host was probed');
      assert.ok(Date.now() - started < 10_000, 'the probe gave up quickly');
      assert.deepEqual(box.goCalls(), [goCommand]);
      assert.equal(readFileSync(`${box.cachedCli}.version`, 'utf8').trim(), VERSION, 'a go build (0.0.0-DEV) is marked as v1.5.1');

      const said = run.lines.map((l) => l.text);
      assert.ok(said.includes("ensure-temporal: the release archive's host did not answer within 1s: skipping the download"), run.stderr);
      const building = run.lines.find((l) => /^ensure-temporal: building Temporal CLI v1\.5\.1 with go install \(a few minutes, once; log: .+\/go-install\.log\)$/.test(l.text));
      assert.ok(building, run.stderr);
      const done = run.lines.at(-1)!;
      assert.match(done.text, /^ensure-temporal: built Temporal CLI v1\.5\.1 in \d+s: .+\/cache\/bin\/temporal$/);

      const progress = ticks(run, 'building Temporal CLI v1.5.1');
      assert.ok(progress.length >= 2, run.stderr);
      const times = [building.at, ...progress.map((t) => t.at), done.at];
      for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] < 2500, `a line at least every second (gaps ${times.join(', ')} ms)`);
      assert.ok(progress.some((t) => /… \ds \(downloading modules: 3 so far\)$/.test(t.text)), run.stderr);
      assert.ok(progress.some((t) => /… \ds \(compiling go\.temporal\.io\/server\/common\/log; 2 packages so far\)$/.test(t.text)), run.stderr);

      const warm = await runEnsureTemporal({ ...box.env, TEMPORAL_RELEASE_BASE_URL: host.baseUrl });
      assert.deepEqual([warm.stdout, warm.stderr], [`${box.cachedCli}\n`, ''], 'the next start finds the marked build, silently');
      assert.deepEqual(box.goCalls(), [goCommand], 'and does not build again');
    } finally {
      await host.close();
    }
  });
});

test('a broken archive, a missing asset or a missing curl each fall through to go, saying so', async () => {
  await inSandbox(async (box) => {
    box.fakeGo({ seconds: 0.2 });
    const broken = await startArchiveHost(Buffer.from('not a tarball'));
    try {
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: broken.baseUrl });
      assert.equal(lastLine(run), box.cachedCli, run.stderr);
      assert.match(run.stderr, /the archive could not be unpacked/);
      assert.match(run.stderr, /built Temporal CLI v1\.5\.1/);
    } finally {
      await broken.close();
    }
  });
  await inSandbox(async (box) => {
    box.fakeGo({ seconds: 0.2 });
    const host = await startArchiveHost(buildArchive(box.root));
    try {
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: `${host.baseUrl}/elsewhere` });
      assert.equal(lastLine(run), box.cachedCli, run.stderr);
      assert.match(run.stderr, /the release archive answered HTTP 404 \(.+\): skipping the download/);
      assert.deepEqual(box.goCalls(), [goCommand]);
    } finally {
      await host.close();
    }
  });
  await inSandbox(
    async (box) => {
      box.fakeGo({ seconds: 0.2 });
      const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() });
      assert.equal(lastLine(run), box.cachedCli, run.stderr);
      assert.match(run.stderr, /^ensure-temporal: curl not found: skipping the release archive$/m);
      assert.deepEqual(box.goCalls(), [goCommand]);
    },
    { withoutCurl: true },
  );
});

test('when every source fails it exits non-zero and says what to do', async () => {
  await inSandbox(async (box) => {
    const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /the release archive's host cannot be reached \(curl: \(7\) .+\): skipping the download/);
    assert.match(run.stderr, /go not found on PATH: cannot build the Temporal CLI from source/);
    assert.match(run.stderr, /could not get the Temporal CLI v1\.5\.1\. Either:/);
    assert.match(run.stderr, /install Go \(https:\/\/go\.dev\/dl\/\)/);
    assert.match(run.stderr, /download http:\/\/127\.0\.0\.1:\d+\/v1\.5\.1\/temporal_cli_.+\.tar\.gz, unpack it and set TEMPORAL_CLI_PATH/);
    assert.ok(!existsSync(box.cachedCli));
  });
  await inSandbox(async (box) => {
    box.fakeGo({ seconds: 0.2, fail: true });
    const run = await runEnsureTemporal({ ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /go install failed after \d+s; its last lines \(all of them in .+\/go-install\.log\):/);
    assert.match(run.stderr, /^ensure-temporal: {3}go: go\.temporal\.io\/server@v1\.29\.1: verifying module: checksum mismatch$/m);
    assert.match(run.stderr, /install Go/);
  });
});

test('ensureTemporalCli passes the script’s stderr on live and returns the path; a failure says why', async () => {
  await inSandbox(async (box) => {
    box.fakeGo({ seconds: 3 });
    const env = { ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() };
    const started = Date.now();
    const seen: { at: number; line: string }[] = [];
    const cliPath = await ensureTemporalCli(undefined, { env, onStderrLine: (line) => seen.push({ at: Date.now() - started, line }) });
    const returnedAt = Date.now() - started;
    assert.equal(cliPath, box.cachedCli);
    const firstTick = seen.find((s) => s.line.includes('building Temporal CLI v1.5.1… '));
    assert.ok(firstTick, seen.map((s) => s.line).join('\n'));
    assert.ok(returnedAt - firstTick.at > 1000, 'progress arrived while the build ran, not at its end');
    assert.match(seen.at(-1)!.line, /built Temporal CLI v1\.5\.1/);
  });
  await inSandbox(async (box) => {
    const env = { ...box.env, ...fast, TEMPORAL_RELEASE_BASE_URL: await closedPortUrl() };
    const seen: string[] = [];
    await assert.rejects(ensureTemporalCli(undefined, { env, onStderrLine: (line) => seen.push(line) }), (error: Error) => {
      assert.match(error.message, /^could not get the Temporal CLI: scripts\/ensure-temporal\.sh exited with code 1; it said:\n/);
      assert.match(error.message, /go not found on PATH/);
      assert.match(error.message, /install Go/);
      assert.match(error.message, /set TEMPORAL_CLI_PATH/);
      return true;
    });
    assert.ok(seen.some((line) => line.includes('could not get the Temporal CLI v1.5.1')), 'the lines were passed on too');
  });
  await inSandbox(async (box) => {
    // The explicit path argument is TEMPORAL_CLI_PATH.
    const explicit = fakeTemporal(path.join(box.root, 'explicit', 'temporal'));
    assert.equal(await ensureTemporalCli(explicit, { env: box.env, onStderrLine: () => assert.fail('warm: nothing said') }), explicit);
  });
});
