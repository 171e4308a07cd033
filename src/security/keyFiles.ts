// Local secrets for a machine that has none configured: generated once, kept under DATA_DIR with
// mode 0600, and reused on every restart (old workflow histories must stay decodable).
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AesGcmPayloadCodec, type PayloadKey, encryptingDataConverter, generatePayloadKey, parsePayloadKeys } from './payloadCodec.js';
import type { DataConverter } from '@temporalio/common';

export type Say = (line: string) => void;

/**
 * Writes `file` only if it does not exist yet, atomically: several processes starting at once over
 * the same DATA_DIR all end up with the one that won. Returns whether this call created it. The
 * contents (a fresh secret) are made only when the file is missing, as on every later start it is there.
 */
function createOnce(file: string, contents: () => string, variable: string): boolean {
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

function warnIfShared(file: string, say: Say) {
  if ((statSync(file).mode & 0o077) !== 0) say(`Warning: ${file} is readable by other users; run chmod 600 ${file}`);
}

export const payloadKeysFile = (dataDir: string) => path.join(dataDir, 'payload-keys.json');
export const apiKeyFile = (dataDir: string) => path.join(dataDir, 'api-key');

/** PAYLOAD_KEYS when set; else the local key file, created on first use. */
export function loadPayloadKeys(opts: { payloadKeys?: string; dataDir: string; say?: Say }): { keys: PayloadKey[]; source: 'env' | 'file' | 'generated' } {
  const say = opts.say ?? ((line: string) => console.log(line));
  if (opts.payloadKeys) return { keys: parsePayloadKeys(opts.payloadKeys), source: 'env' };
  const file = payloadKeysFile(opts.dataDir);
  const freshId = `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const created = createOnce(
    file,
    () => {
      const fresh = generatePayloadKey(freshId);
      return `${JSON.stringify({ keys: [{ id: fresh.id, key: fresh.key.toString('base64') }] }, null, 2)}\n`;
    },
    'PAYLOAD_KEYS',
  );
  if (created) {
    say(`Generated a payload encryption key (${freshId}) in ${file}; keep this file (old workflow histories need it) or set PAYLOAD_KEYS.`);
  } else {
    warnIfShared(file, say);
  }
  let parsed: { keys?: { id?: unknown; key?: unknown }[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not valid JSON; restore it from a backup or set PAYLOAD_KEYS`);
  }
  const list = (parsed.keys ?? []).map((k) => `${String(k.id)}:${String(k.key)}`).join(',');
  return { keys: parsePayloadKeys(list), source: created ? 'generated' : 'file' };
}

/** The codec and the data converter every client and worker of this process must share. */
export function loadPayloadEncryption(opts: { payloadKeys?: string; dataDir: string; say?: Say }): {
  codec: AesGcmPayloadCodec;
  dataConverter: DataConverter;
  source: 'env' | 'file' | 'generated';
} {
  const { keys, source } = loadPayloadKeys(opts);
  const codec = new AesGcmPayloadCodec(keys);
  return { codec, dataConverter: encryptingDataConverter(codec), source };
}

export function generateApiKey(): string {
  return `sp_${randomBytes(24).toString('base64url')}`;
}

/** API_KEYS when set; else DATA_DIR/api-key, created on first use. */
export function loadApiKeys(opts: { apiKeys?: string[]; dataDir: string; say?: Say }): { keys: string[]; source: 'env' | 'file' | 'generated'; file?: string } {
  if (opts.apiKeys && opts.apiKeys.length > 0) return { keys: opts.apiKeys, source: 'env' };
  const file = apiKeyFile(opts.dataDir);
  const created = createOnce(file, () => `${generateApiKey()}\n`, 'API_KEYS');
  if (!created) warnIfShared(file, opts.say ?? ((line: string) => console.log(line)));
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 16) throw new Error(`${file} holds no usable API key (at least 16 characters); delete it to generate a new one`);
  return { keys: [key], source: created ? 'generated' : 'file', file };
}
