// Finds the pinned Temporal CLI through scripts/ensure-temporal.sh (fast when it is already there).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function ensureTemporalCli(explicitPath?: string): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [path.join(projectRoot, 'scripts/ensure-temporal.sh')], {
    env: { ...process.env, ...(explicitPath ? { TEMPORAL_CLI_PATH: explicitPath } : {}) },
    maxBuffer: 10 * 1024 * 1024,
  });
  const cliPath = stdout.trim().split('\n').at(-1);
  if (!cliPath) throw new Error('scripts/ensure-temporal.sh printed no path');
  return cliPath;
}
