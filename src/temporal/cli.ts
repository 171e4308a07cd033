// Finds the pinned Temporal CLI through scripts/ensure-temporal.sh (fast and silent when it is already
// there). The script's stderr (what it chose, progress while it downloads or builds) is passed on live,
// line by line; its stdout carries only the path.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ensureTemporalScript = path.join(projectRoot, 'scripts/ensure-temporal.sh');

export interface EnsureTemporalOptions {
  /** The script's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Receives each stderr line as it comes (default: written to this process's stderr). */
  onStderrLine?: (line: string) => void;
}

/** How many of the script's last stderr lines a failure quotes: enough for the step and the advice. */
const quotedLines = 12;

export function ensureTemporalCli(explicitPath?: string, options: EnsureTemporalOptions = {}): Promise<string> {
  const onLine = options.onStderrLine ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const env = { ...(options.env ?? process.env), ...(explicitPath ? { TEMPORAL_CLI_PATH: explicitPath } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ensureTemporalScript], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lastLines: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > quotedLines) lastLines.shift();
      onLine(line);
    });
    child.once('error', (error) => reject(new Error(`could not run scripts/ensure-temporal.sh: ${error.message}`)));
    // 'close' waits for both pipes to drain, so every stderr line has been passed on by then.
    child.once('close', (code, signal) => {
      if (code !== 0) {
        const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
        const said = lastLines.length ? `; it said:\n${lastLines.join('\n')}` : '';
        reject(new Error(`could not get the Temporal CLI: scripts/ensure-temporal.sh ${how}${said}`));
        return;
      }
      const cliPath = stdout.trim().split('\n').at(-1)?.trim();
      if (cliPath) resolve(cliPath);
      else reject(new Error('scripts/ensure-temporal.sh printed no path'));
    });
  });
}
