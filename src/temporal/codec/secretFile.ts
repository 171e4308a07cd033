// Local secrets for a machine that has none configured: generated once, kept under DATA_DIR with
// mode 0600, and reused on every restart: the payload keys (payloadKeyFile.ts) and the API key
// (src/api/protection/apiKeyFile.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Say = (line: string) => void;

/**
 * Writes `file` only if it does not exist yet, atomically: several processes starting at once over
 * the same DATA_DIR all end up with the one that won. Returns whether this call created it. The
 * contents (a fresh secret) are made only when the file is missing, as on every later start it is there.
 */
export function createOnce(file: string, contents: () => string, variable: string): boolean {
  if (existsSync(file)) return false;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temp, contents(), { mode: 0o600 });
  } catch (error) {
    // e.g. a read-only container filesystem: say what to configure instead.
    throw new Error(`Cannot create ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set ${variable} or a writable DATA_DIR`);
  }
  try {
    linkSync(temp, file); // fails with EEXIST when another process got there first
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

export function warnIfShared(file: string, say: Say) {
  if ((statSync(file).mode & 0o077) !== 0) say(`Warning: ${file} is readable by other users; run chmod 600 ${file}`);
}
