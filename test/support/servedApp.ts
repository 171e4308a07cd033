// Helpers for the API protection and codec server suites: serve an app on a free port (over a
// stack's client and database, or over a lazy client that never connects, for checks that stop before Temporal).
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import type { SecurityOptions } from '../../src/api/protection/options.js';
import type { AuditLine, AuditSink } from '../../src/api/protection/audit.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { AesGcmPayloadCodec } from '../../src/temporal/codec/payloadCodec.js';
import { generatePayloadKey } from '../../src/config/payloadKeys.js';
import { createTestDatabase } from './db.js';
import { randomBytes } from 'node:crypto';
import { ViewerTokens } from '../../src/api/protection/viewerTokens.js';

export interface ServedApp {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

/** The codec-token secret of every test app: tests derive codec URLs with codecUiToken(TEST_CODEC_TOKEN_SECRET, key). */
export const TEST_CODEC_TOKEN_SECRET = 'test-codec-token-secret-0123456789abcdef';

export function testSecurity(overrides: Partial<SecurityOptions> = {}): SecurityOptions {
  return {
    apiKeys: [generateApiKey()],
    codec: new AesGcmPayloadCodec([generatePayloadKey('t1')]),
    codecCorsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
    rateLimit: { rate: 1000, burst: 1000 },
    viewerTokens: new ViewerTokens(randomBytes(32).toString('base64url'), 60 * 60 * 1000),
    deployment: 'local',
    codecTokenSecret: TEST_CODEC_TOKEN_SECRET,
    ...overrides,
  };
}

export async function serveApp(deps: { client: Client; db: Db; taskQueue?: string; security: SecurityOptions; publicUrl?: string; audit?: AuditSink }): Promise<ServedApp> {
  const app = createApp({ client: deps.client, db: deps.db, taskQueue: deps.taskQueue ?? 'unused', settings: loadConfig({}).pipeline, security: deps.security, publicUrl: deps.publicUrl, audit: deps.audit });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey: deps.security.apiKeys[0],
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An app over a real database and a Temporal client that never connects (nothing here reaches it). */
export async function serveLightApp(security: SecurityOptions, opts: { publicUrl?: string } = {}): Promise<ServedApp> {
  const db = await createTestDatabase();
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  let served: ServedApp;
  try {
    served = await serveApp({ client: new Client({ connection }), db: db.db, security, publicUrl: opts.publicUrl });
  } catch (error) {
    await connection.close().catch(() => undefined);
    await db.close();
    throw error;
  }
  return {
    ...served,
    async close() {
      await served.close();
      await connection.close().catch(() => undefined);
      await db.close();
    },
  };
}

/** An audit sink that keeps every line, for a test to read. */
export function auditRecorder(): AuditSink & { lines: AuditLine[] } {
  const lines: AuditLine[] = [];
  return Object.assign((line: AuditLine) => void lines.push(line), { lines });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
