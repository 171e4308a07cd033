// A sealed world for scripts/ensure-temporal.sh: temp HOME and cache, a PATH of only the system tools
// it needs (never this machine's `go` or `temporal`), fake `temporal` and `go` binaries, and loopback
// servers standing in for the release archive's host.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTemporalScript } from '../../src/temporal/cli.js';

export const VERSION = '1.5.1';

/** What the script and its fakes may run; `go` and `temporal` come only from the fakes. */
const systemTools = ['bash', 'sh', 'uname', 'tr', 'mkdir', 'mktemp', 'rm', 'tar', 'gzip', 'curl', 'install', 'cat', 'grep', 'sleep', 'wc', 'awk', 'tail', 'head', 'sed', 'mv', 'chmod'];

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function writeExecutable(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

/** A stand-in Temporal CLI: `--version` prints `versionLine`. */
export function fakeTemporal(file: string, versionLine = `temporal version ${VERSION} (fake)`): string {
  return writeExecutable(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo '${versionLine}'; exit 0; fi\necho "fake temporal: $*"\n`);
}

export interface Sandbox {
  root: string;
  home: string;
  /** SHOWPRINT_CACHE_DIR; the CLI is cached in its bin/. */
  cache: string;
  cachedCli: string;
  /** First on PATH: fake `temporal` / `go` go here. */
  fakeBin: string;
  env: Record<string, string>;
  /** Installs a fake `go` whose `install` logs like `go install -v`, takes `seconds`, and writes a 0.0.0-DEV build into $GOBIN. */
  fakeGo(options?: { seconds?: number; fail?: boolean }): void;
  /** Every command line the fake `go` was run with. */
  goCalls(): string[];
  remove(): void;
}

export function createSandbox(options: { withoutCurl?: boolean } = {}): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), 'ensure-temporal-'));
  const home = path.join(root, 'home');
  const cache = path.join(root, 'cache');
  const fakeBin = path.join(root, 'fake-bin');
  const tools = path.join(root, 'tools');
  const scratch = path.join(root, 'tmp');
  for (const dir of [home, fakeBin, tools, scratch]) mkdirSync(dir, { recursive: true });
  for (const tool of systemTools) {
    if (tool === 'curl' && options.withoutCurl) continue;
    const real = which(tool);
    if (real) symlinkSync(real, path.join(tools, tool));
  }
  const goCallsFile = path.join(root, 'go-calls.txt');
  return {
    root,
    home,
    cache,
    cachedCli: path.join(cache, 'bin', 'temporal'),
    fakeBin,
    env: { PATH: `${fakeBin}:${tools}`, HOME: home, TMPDIR: scratch, SHOWPRINT_CACHE_DIR: cache, LC_ALL: 'C' },
    fakeGo({ seconds = 2.6, fail = false } = {}) {
      const pause = (seconds / 2).toFixed(2);
      const lines = [
        '#!/bin/sh',
        `echo "$*" >> '${goCallsFile}'`,
        '[ "$1" = install ] || { echo "fake go: only install is faked" >&2; exit 2; }',
        '[ -n "$GOBIN" ] || { echo "fake go: GOBIN is not set" >&2; exit 2; }',
        `echo "go: downloading github.com/temporalio/cli v${VERSION}" >&2`,
        'echo "go: downloading go.temporal.io/server v1.29.1" >&2',
        'echo "go: downloading go.temporal.io/api v1.53.0" >&2',
        `sleep ${pause}`,
      ];
      if (fail) {
        lines.push('echo "go: go.temporal.io/server@v1.29.1: verifying module: checksum mismatch" >&2', 'exit 1');
      } else {
        lines.push(
          'echo "internal/goarch" >&2',
          'echo "go.temporal.io/server/common/log" >&2',
          `sleep ${pause}`,
          'echo "github.com/temporalio/cli/cmd/temporal" >&2',
          // Like a real `go install` build: it does not know its release version.
          `printf '#!/bin/sh\\necho "temporal version 0.0.0-DEV (go install build)"\\n' > "$GOBIN/temporal"`,
          'chmod 755 "$GOBIN/temporal"',
        );
      }
      writeExecutable(path.join(fakeBin, 'go'), `${lines.join('\n')}\n`);
    },
    goCalls: () => (existsSync(goCallsFile) ? readFileSync(goCallsFile, 'utf8').split('\n').filter(Boolean) : []),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each stderr line with the milliseconds since the start at which it arrived. */
  lines: { at: number; text: string }[];
}

/** Runs the script in `env` only (nothing inherited), killing it if it outlives `timeoutMs`. */
export function runEnsureTemporal(env: Record<string, string>, timeoutMs = 30_000): Promise<Run> {
  const bash = which('bash') ?? '/bin/bash';
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(bash, [ensureTemporalScript], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    let pending = '';
    const lines: Run['lines'] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      for (const text of parts) lines.push({ at: Date.now() - started, text });
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (pending) lines.push({ at: Date.now() - started, text: pending });
      resolve({ code, stdout, stderr: lines.map((l) => l.text).join('\n'), lines });
    });
  });
}

/** The release file name the script asks for on this machine. */
export function archiveName(): string {
  const os = process.platform === 'darwin' ? 'darwin' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `temporal_cli_${VERSION}_${os}_${arch}.tar.gz`;
}

/**
 * A real .tar.gz like the release's: a fake `temporal` and a LICENSE at its top, plus `padBytes`
 * random (incompressible) bytes in another file so the download has some size.
 */
export function buildArchive(dir: string, options: { versionLine?: string; padBytes?: number } = {}): Buffer {
  const staging = path.join(dir, 'archive-staging');
  mkdirSync(staging, { recursive: true });
  fakeTemporal(path.join(staging, 'temporal'), options.versionLine ?? `temporal version ${VERSION} (fake release)`);
  writeFileSync(path.join(staging, 'LICENSE'), 'MIT (fake)\n');
  writeFileSync(path.join(staging, 'padding.bin'), randomBytes(options.padBytes ?? 0));
  const file = path.join(dir, 'archive.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', staging, 'temporal', 'LICENSE', 'padding.bin']);
  return readFileSync(file);
}

export interface ArchiveHost {
  baseUrl: string;
  /** "METHOD path" of every request. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `archive` like GitHub does: the release URL redirects to the asset, which is sent in
 * `chunks` pieces `chunkDelayMs` apart (so a test can watch the download's progress).
 */
export async function startArchiveHost(archive: Buffer, options: { chunks?: number; chunkDelayMs?: number } = {}): Promise<ArchiveHost> {
  const { chunks = 1, chunkDelayMs = 0 } = options;
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === `/v${VERSION}/${archiveName()}`) {
      res.writeHead(302, { location: '/asset/cli.tar.gz' }).end();
    } else if (req.url === '/asset/cli.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': archive.length });
      if (req.method === 'HEAD') return void res.end();
      const size = Math.ceil(archive.length / chunks);
      const send = (i: number) => {
        if (i >= chunks) return void res.end();
        res.write(archive.subarray(i * size, (i + 1) * size));
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(i + 1);
        }, chunkDelayMs);
        timers.add(timer);
      };
      send(0);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A host that accepts connections and never answers (the probe must give up on it). */
export async function startSilentHost(): Promise<{ baseUrl: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL on which nothing listens (connections are refused). */
export async function closedPortUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
