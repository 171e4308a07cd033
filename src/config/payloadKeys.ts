// The PAYLOAD_KEYS setting: master keys for the payload codec (src/temporal/codec), `kid:base64`
// entries, the first active. Config checks it at start-up; the codec and the key file use it.
import { randomBytes } from 'node:crypto';

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/**
 * Parses `kid:base64-32-bytes,kid2:…` (first = active). Messages name the entry, never the key
 * material, so a configuration error cannot leak a key into logs.
 */
export function parsePayloadKeys(value: string): PayloadKey[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new PayloadKeyError('PAYLOAD_KEYS has no keys');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID_PATTERN.test(id)) throw new PayloadKeyError(`PAYLOAD_KEYS entry ${i + 1}: expected kid:base64 with a kid of 1–64 letters, digits, . _ or -`);
    const material = entry.slice(colon + 1);
    const key = Buffer.from(material, 'base64');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material) || key.length !== 32) {
      throw new PayloadKeyError(`PAYLOAD_KEYS key "${id}": must be exactly 32 bytes, base64-encoded`);
    }
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`PAYLOAD_KEYS key id "${id}" appears twice`);
    keys.push({ id, key });
  });
  return keys;
}

export function formatPayloadKeys(keys: PayloadKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

export function generatePayloadKey(id: string): PayloadKey {
  return { id, key: randomBytes(32) };
}
