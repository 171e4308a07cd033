// The benchmark's moving parts: free ports, scratch databases, the worker as its own process (so its
// memory and CPU can be read from /proc), and a cleanup list that runs however the bench ends.
import { Connection } from '@temporalio/client';
import { WORKER_NODE_FLAGS } from '../src/worker/heap.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Cleanup steps, run last-in first-out exactly once, on success, failure or a signal. */
export class Cleanup {
  private steps: { name: string; run: () => Promise<void> }[] = [];
  private readonly pids = new Set<number>();

  add(name: string, run: () => Promise<void>): () => Promise<void> {
    const step = { name, run };
    this.steps.push(step);
    // Calling the returned function runs the step now and takes it off the list.
    return async () => {
      this.steps = this.steps.filter((s) => s !== step);
      await run();
    };
  }

  /** A child process to SIGKILL if the bench exits without running its cleanup. */
  trackPid(pid: number | undefined): void {
    if (pid) this.pids.add(pid);
  }

  untrackPid(pid: number | undefined): void {
    if (pid) this.pids.delete(pid);
  }

  async runAll(log: (line: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        log(`cleanup: ${step.name} failed: ${(error as Error).message}`);
      }
    }
  }

  /** Last resort from the synchronous 'exit' handler. */
  killTracked(): void {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Creates an empty database next to DATABASE_URL's and returns its URL and a drop function. */
export async function createScratchDatabase(baseUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface ProcSample {
  /** Peak resident set since start or the last reset, bytes. */
  peakRssBytes: number;
  rssBytes: number;
  /** user + system CPU, seconds. */
  cpuSeconds: number;
  /** CPU of its exited, reaped child processes (e.g. the `ps` crawlee spawns to measure memory). */
  childCpuSeconds: number;
}

const CLK_TCK = 100;

export function readProc(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  const childCpuSeconds = (Number(rest[13]) + Number(rest[14])) / CLK_TCK;
  return { peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS'), cpuSeconds, childCpuSeconds };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so a peak covers only what follows. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after the grace time; resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx bench/worker.ts` directly, so `pid` is the worker itself; `script`: node's
 * arguments for another worker instead (the compiled product worker).
 */
export function spawnWorker(env: Record<string, string>, logFile: string, opts: { cpuProfileDir?: string; script?: string[] } = {}): WorkerProcess {
  const log = createWriteStream(logFile);
  const profile = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...profile, ...(opts.script ?? ['--import', 'tsx', path.join(projectRoot, 'bench/worker.ts')])], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    child,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Waits until the worker polls both the workflow and the activity task queue. */
export async function waitForPollers(connection: Connection, namespace: string, taskQueue: string, worker: WorkerProcess, timeoutMs = 120_000): Promise<void> {
  // TASK_QUEUE_TYPE_WORKFLOW = 1, TASK_QUEUE_TYPE_ACTIVITY = 2 (@temporalio/proto is not a direct dependency).
  const types = [1, 2] as const;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited (${worker.child.exitCode}); see ${worker.logFile}`);
    let ready = true;
    for (const taskQueueType of types) {
      const res = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType });
      if ((res.pollers ?? []).length === 0) ready = false;
    }
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`the worker did not poll ${taskQueue} within ${timeoutMs / 1000} s; see ${worker.logFile}`);
    await sleep(200);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The bench's progress line, `[bench HH:MM:SS] …`, on stdout. */
export const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/**
 * CPU used by the PostgreSQL backends serving one database, sampled from /proc (a local server
 * only). Backends that exit between samples lose their last interval; sample about once a second.
 */
export class PgCpuTracker {
  private readonly seen = new Map<number, { first: number; last: number }>();
  private baselineTaken = false;
  available = true;

  constructor(private readonly pool: pg.Pool) {}

  /** What the backends were doing at each sample: `active`, `idle`, `active: Lock/tuple`, … → count. */
  readonly activity = new Map<string, number>();
  samples = 0;

  async sample(): Promise<void> {
    if (!this.available) return;
    try {
      const { rows } = await this.pool.query<{ pid: number; state: string | null; wait: string | null }>(
        `select pid, state, wait_event_type || '/' || wait_event as wait from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`,
      );
      this.samples++;
      for (const { state, wait } of rows) {
        const key = state === 'active' && wait ? `active, waiting on ${wait}` : (state ?? 'unknown');
        this.activity.set(key, (this.activity.get(key) ?? 0) + 1);
      }
      for (const { pid } of rows) {
        let cpu: number;
        try {
          cpu = readProc(pid).cpuSeconds;
        } catch {
          continue; // exited meanwhile
        }
        const entry = this.seen.get(pid);
        // A backend first seen after the baseline started during the window: count all of its CPU.
        if (entry) entry.last = cpu;
        else this.seen.set(pid, { first: this.baselineTaken ? 0 : cpu, last: cpu });
      }
    } catch {
      this.available = false; // a remote server: no /proc to read
    }
  }

  async baseline(): Promise<void> {
    await this.sample();
    this.baselineTaken = true;
  }

  cpuSeconds(): number | null {
    if (!this.available || this.seen.size === 0) return null;
    let total = 0;
    for (const { first, last } of this.seen.values()) total += last - first;
    return total;
  }
}
