// The payload keys of a machine without PAYLOAD_KEYS: DATA_DIR/payload-keys.json, created on first
// use and reused on every restart (old workflow histories must stay decodable).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AesGcmPayloadCodec, encryptingDataConverter } from './payloadCodec.js';
import { type PayloadKey, generatePayloadKey, parsePayloadKeys } from '../../config/payloadKeys.js';
import type { DataConverter } from '@temporalio/common';
import type { Db } from '../../db/index.js';
import { type SessionKeyring, createSessionKeyring } from './sessionKeys.js';
import { type Say, createOnce, warnIfShared } from './secretFile.js';

const payloadKeysFile = (dataDir: string) => path.join(dataDir, 'payload-keys.json');

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

/**
 * The codec and the data converter every client and worker of this process must share. With the
 * database, sessions' payloads get keys of their own (sessionKeys.ts: what "forget me" destroys);
 * without it (tools that never touch a session) only master keys, and session payloads do not decode.
 */
export function loadPayloadEncryption(opts: { payloadKeys?: string; dataDir: string; say?: Say; db?: Db; /** Outside the local demo: see AesGcmPayloadCodec. */ refusePlaintext?: boolean }): {
  codec: AesGcmPayloadCodec;
  dataConverter: DataConverter;
  sessionKeys?: SessionKeyring;
  source: 'env' | 'file' | 'generated';
} {
  const { keys, source } = loadPayloadKeys(opts);
  const sessionKeys = opts.db ? createSessionKeyring(opts.db, keys) : undefined;
  const codec = new AesGcmPayloadCodec(keys, sessionKeys, { refusePlaintext: opts.refusePlaintext });
  return { codec, dataConverter: encryptingDataConverter(codec), sessionKeys, source };
}
