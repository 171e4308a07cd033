// Runs `temporal server start-dev` for local use: state in a file under DATA_DIR, the Web UI on
// TEMPORAL_UI_PORT, and the search attributes the workflows upsert registered up front.
import { Connection } from '@temporalio/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../contracts/index.js';

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
  /** Immediate, for a forced exit: no process outlives us. */
  kill(): void;
  /** False for a database made before fairness keys: sessions then share the queue first come, first served. */
  fairness: boolean;
}

/**
 * Task-queue priority needs the new matcher, and fairness keys (one per session, so a large
 * session's backlog cannot wall off a small one) need `matching.enableFairness`; server 1.29
 * enables neither by default. Fairness implies the new matcher; both are named for clarity.
 */
export function priorityArgs({ fairness = true }: { fairness?: boolean } = {}): string[] {
  return ['--dynamic-config-value', 'matching.useNewMatcher=true', ...(fairness ? ['--dynamic-config-value', 'matching.enableFairness=true'] : [])];
}

/**
 * Fairness keeps the task backlog in other tables (server 1.29): tasks queued in a database made
 * without it are never dispatched once it is on, and the sessions waiting on them hang. So only a
 * database created with fairness (marked beside it) gets it; an older one keeps the plain matcher.
 */
function fairnessFor(dbFile: string): boolean {
  const marker = `${dbFile}.fairness`;
  if (existsSync(marker)) return true;
  if (existsSync(dbFile)) return false;
  writeFileSync(marker, 'created with matching.enableFairness=true\n');
  return true;
}

export function searchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}

/** True when something already accepts connections on 127.0.0.1:port. */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDevServer(opts: {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** The API's remote codec URL, so the Web UI shows decrypted payloads (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
}): Promise<DevServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  for (const [port, name] of [[opts.port, 'TEMPORAL_PORT'], [opts.uiPort, 'TEMPORAL_UI_PORT']] as const) {
    if (await portInUse(port)) {
      throw new Error(`Port ${port} is in use (another Temporal server?). Stop it, set ${name} to a free port, or set TEMPORAL_ADDRESS to use that server.`);
    }
  }
  const dbFile = path.join(opts.dataDir, 'temporal.db');
  const fairness = fairnessFor(dbFile);
  const args = [
    'server', 'start-dev',
    '--db-filename', dbFile,
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace,
    '--log-level', 'warn',
    ...searchAttributeArgs(),
    ...priorityArgs({ fairness }),
    ...(opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
  ];
  // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop the server after
  // the worker has shut down (else the worker's last calls fail against a server already gone).
  const child: ChildProcess = spawn(opts.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const killOnExit = () => void child.kill('SIGKILL'); // never outlive us, even on process.exit()
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  void exited.then(() => process.off('exit', killOnExit));
  const address = `127.0.0.1:${opts.port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server start-dev exited (${child.exitCode}): ${stderr.trim() || 'no output'}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Temporal dev server did not come up on ${address}: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    fairness,
    kill: () => void child.kill('SIGKILL'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
