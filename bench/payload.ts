// Payloads are encrypted end to end (src/temporal/codec): the bench's client and its workers must share
// the keys. PAYLOAD_KEYS from the environment when set, else one throwaway key per bench run. Each
// session's payloads are sealed with a key of its own, kept in the database its workers use: every
// scenario has its own scratch database, so the client's keyring follows the scenario being run.
import type { DataConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { Db } from '../src/db/index.js';
import { AesGcmPayloadCodec, encryptingDataConverter } from '../src/temporal/codec/payloadCodec.js';
import { PayloadKeyError } from '../src/config/payloadKeys.js';
import { loadPayloadKeys } from '../src/temporal/codec/payloadKeyFile.js';
import { type SessionKeyring, createSessionKeyring } from '../src/temporal/codec/sessionKeys.js';

export interface BenchPayload {
  env: Record<string, string>;
  dataConverter: DataConverter;
  /** Reads and makes session keys in this scenario database from now on (undefined: none, between scenarios). */
  useDatabase(db: Db | undefined): void;
}

export function benchPayloadEncryption(runTag: string, dataDir: string): BenchPayload {
  const payloadKeys = process.env.PAYLOAD_KEYS || `bench-${runTag}:${randomBytes(32).toString('base64')}`;
  const { keys } = loadPayloadKeys({ payloadKeys, dataDir });
  let current: SessionKeyring | undefined;
  const keyring = (): SessionKeyring => {
    if (!current) throw new PayloadKeyError('a session payload outside a scenario: no scenario database holds its key');
    return current;
  };
  const sessionKeys: SessionKeyring = {
    keyForSession: (sessionId) => keyring().keyForSession(sessionId),
    keyById: (keyId) => keyring().keyById(keyId),
    destroy: (sessionId) => keyring().destroy(sessionId),
  };
  return {
    env: { PAYLOAD_KEYS: payloadKeys },
    dataConverter: encryptingDataConverter(new AesGcmPayloadCodec(keys, sessionKeys)),
    useDatabase(db) {
      current = db && createSessionKeyring(db, keys);
    },
  };
}
