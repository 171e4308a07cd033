// The API key of a machine without API_KEYS: DATA_DIR/api-key, created on first use and kept.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Say, createOnce, warnIfShared } from '../../temporal/codec/secretFile.js';

export const apiKeyFile = (dataDir: string) => path.join(dataDir, 'api-key');

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
