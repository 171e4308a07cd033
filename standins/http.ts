// Listening helpers: every stand-in is a real HTTP server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { ServiceGate, ServiceName } from './limits.js';

export interface Standin {
  name: ServiceName;
  app: Express;
  gate: ServiceGate;
  /** Path the client's base URL ends with ('/public/gql', '/3', '', '/v1'). */
  basePath: string;
}

export interface ListeningStandin extends Standin {
  server: Server;
  port: number;
  /** e.g. http://127.0.0.1:1234 */
  origin: string;
  /** origin + basePath: what the app's *_URL setting should be. */
  url: string;
  close(): Promise<void>;
}

export async function listenStandin(standin: Standin, port = 0, host = '127.0.0.1'): Promise<ListeningStandin> {
  const server = createServer(standin.app);
  // Clients keep connections alive; don't let idle sockets hold close() hostage.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${actual}`;
  let closing: Promise<void> | undefined;
  return {
    ...standin,
    server,
    port: actual,
    origin,
    url: origin + standin.basePath,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
