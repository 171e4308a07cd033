// Payloads are encrypted end to end (src/temporal/codec): the bench's client and its workers must share
// the keys. PAYLOAD_KEYS from the environment when set, else one throwaway key per bench run.
import type { DataConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { loadPayloadEncryption } from '../src/temporal/codec/payloadKeyFile.js';

export function benchPayloadEncryption(runTag: string, dataDir: string): { env: Record<string, string>; dataConverter: DataConverter } {
  const payloadKeys = process.env.PAYLOAD_KEYS || `bench-${runTag}:${randomBytes(32).toString('base64')}`;
  const { dataConverter } = loadPayloadEncryption({ payloadKeys, dataDir });
  return { env: { PAYLOAD_KEYS: payloadKeys }, dataConverter };
}
