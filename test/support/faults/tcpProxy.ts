// A TCP proxy in front of a server (PostgreSQL in the fault tests). `cut(ms)` destroys every open
// connection and stops listening, so new connections are refused (ECONNREFUSED) until it listens
// again on the same port: an outage as the app sees it, without touching the real server.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections accepted and forwarded so far. */
  stats(): { connections: number; killed: number; cuts: number; outageMs: number; open: number };
  /** Kill all connections and refuse new ones for `ms`; resolves when the proxy accepts again. */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let killed = 0;
  let cuts = 0;
  let outageMs = 0;
  let closed = false;

  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const killAll = () => {
    for (const s of sockets) {
      // A reset, not a polite FIN: what a crashed server or a broken network looks like.
      s.resetAndDestroy();
      killed++;
    }
    sockets.clear();
  };

  const actualPort = await listen(port);
  return {
    port: actualPort,
    stats: () => ({ connections, killed, cuts, outageMs, open: sockets.size }),
    async cut(ms) {
      cuts++;
      const started = Date.now();
      const stopped = stopListening();
      killAll();
      await stopped;
      await new Promise((r) => setTimeout(r, ms));
      killAll(); // anything that slipped in while the listener was closing
      if (!closed) {
        // The port was ours a moment ago; retry briefly in case the OS has not released it yet.
        for (let attempt = 0; ; attempt++) {
          try {
            await listen(actualPort);
            break;
          } catch (error) {
            if (attempt >= 50) throw error;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
      outageMs += Date.now() - started;
    },
    async close() {
      closed = true;
      const stopped = server.listening ? stopListening() : Promise.resolve();
      killAll();
      await stopped;
    },
  };
}
