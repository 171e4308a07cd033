// Which Temporal server the configuration names, read the way Temporal's own tools read it
// (@temporalio/envconfig): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
// and profiles in temporal.toml. src/temporal/connection.ts connects to it.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';

/** A configured Temporal server: where, which namespace, and how to authenticate. */
export interface TemporalTarget {
  address: string;
  namespace?: string;
  /** TLS (mTLS client certificate and key, server CA, server name), API key and gRPC metadata. */
  options: NativeConnectionOptions;
  /** Where it came from, for messages: the profile or the environment. */
  source: string;
}

/** Returns undefined when nothing names a server (then `npm start` runs a dev server). Throws with a readable reason. */
export function readTemporalTarget(env: NodeJS.ProcessEnv, { readDefaultFile = true } = {}): TemporalTarget | undefined {
  const file = env.TEMPORAL_CONFIG_FILE;
  if (file && !existsSync(file)) throw new Error(`TEMPORAL_CONFIG_FILE: ${file} does not exist`);
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  // A configuration built from a given environment (tests) reads no file it does not name.
  const disableFile = !readDefaultFile && !file;
  const loaded = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE || undefined, overrideEnvVars: vars, disableFile });
  const address = loaded.connectionOptions.address;
  if (!address) return undefined;
  const source = env.TEMPORAL_PROFILE ? `profile ${env.TEMPORAL_PROFILE}` : file || env.TEMPORAL_ADDRESS === undefined ? 'temporal.toml' : 'TEMPORAL_ADDRESS';
  return { address, namespace: loaded.namespace, options: { ...loaded.connectionOptions, address }, source };
}
