// How every process reaches Temporal, read the way Temporal's own tools read it (@temporalio/envconfig):
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* (certificates and keys),
// and profiles in temporal.toml (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE; by default the file the
// `temporal` CLI uses; src/config/temporalTarget.ts reads them). The worker, the API, the CLI and the
// codec server all connect through here.
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalTarget } from '../config/temporalTarget.js';

/** The worker's connection: the configured server with its TLS and key, or a local address (a dev server). */
export function connectNative(target: TemporalTarget | string): Promise<NativeConnection> {
  return NativeConnection.connect(typeof target === 'string' ? { address: target } : target.options);
}

/** A client connection, likewise. */
export function connectClient(target: TemporalTarget | string, extra: { connectTimeout?: number } = {}): Promise<Connection> {
  if (typeof target === 'string') return Connection.connect({ address: target, ...extra });
  const { address, tls, apiKey, metadata } = target.options;
  return Connection.connect({ address, tls, apiKey: typeof apiKey === 'string' ? apiKey : undefined, metadata, ...extra });
}
