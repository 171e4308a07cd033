// The API as its own process (`node --import tsx src/api/main.ts`) against a process stack, so its
// signal handling is the real one.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExitInfo, type ProcessStack, freePort, waitFor } from './processStack.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ApiProcess {
  url: string;
  port: number;
  apiKey: string;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  output(): string;
  /** fetch with the API key. */
  call(pathname: string, init?: RequestInit): Promise<Response>;
  kill(): Promise<void>;
}

export async function startApiProcess(stack: ProcessStack): Promise<ApiProcess> {
  const port = await freePort();
  const apiKey = `faults-${randomBytes(16).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/api/main.ts')], {
    cwd: projectRoot,
    env: {
      ...stack.workerEnv,
      PORT: String(port),
      DATABASE_URL: stack.db.url,
      API_KEYS: apiKey,
      DATA_DIR: path.join(stack.tmpDir, 'api-data'),
      // A standalone API runs as production: links name PUBLIC_URL, never a request's Host.
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the API to answer /healthz', 120_000, async () => {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}): ${output}`);
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    return res?.ok ? true : undefined;
  }, 300);
  return {
    url,
    port,
    apiKey,
    child,
    exited,
    output: () => output,
    call: (pathname, init) =>
      fetch(`${url}${pathname}`, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...(init?.headers as Record<string, string>) },
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
