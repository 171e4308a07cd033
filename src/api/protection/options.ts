// What the API needs to protect itself; built once per process from the configuration.
import type { PayloadCodec } from '@temporalio/common';
import type { AppConfig } from '../../config/index.js';
import { ApiKeySet } from './apiKeys.js';
import type { RateLimitSettings } from './rateLimit.js';
import { ViewerTokens, loadLocalSecret, loadViewerTokenSecret } from './viewerTokens.js';

export interface SecurityOptions {
  /** Keys accepted in `Authorization: Bearer <key>` (at least one). */
  apiKeys: string[];
  /** Accept POST /api/sessions without a key (demo mode); default false. */
  allowAnonymousSessions?: boolean;
  /** When set, GET /api/callback must be signed (see callbackSignature.ts); outside `local` it is not mounted without one. */
  callbackSecret?: string;
  /**
   * `local` (the demo on one machine) or `production`. Production marks viewer cookies Secure
   * whatever the request's scheme, builds links only from PUBLIC_URL, mounts Gandalf's callback only
   * with a secret, and refuses payloads that are not encrypted.
   */
  deployment: 'local' | 'production';
  /** Signs the Web UI's codec URL tokens; none are accepted without it. */
  codecTokenSecret?: string;
  /** Express's `trust proxy` (TRUST_PROXY): whose X-Forwarded-* headers count for the scheme and client address. */
  trustProxy?: boolean | number | string;
  /** The payload codec the /codec endpoints run (the same one clients and workers use). */
  codec: PayloadCodec;
  /** Browser origins allowed to call /codec (the Temporal Web UI). */
  codecCorsOrigins: string[];
  /** Per-client limit on requests that start or change something. */
  rateLimit: RateLimitSettings;
  /** Issues and checks the viewer tokens that open one session each. */
  viewerTokens: ViewerTokens;
}

export function securityOptions(
  config: AppConfig,
  resolved: {
    apiKeys: string[];
    codec: PayloadCodec;
    /** When ALLOW_ANONYMOUS_SESSIONS is unset. */
    anonymousByDefault?: boolean;
    /** When DEPLOYMENT is unset: npm start says local, the standalone API production. */
    deploymentByDefault: 'local' | 'production';
  },
): SecurityOptions {
  return {
    apiKeys: resolved.apiKeys,
    allowAnonymousSessions: config.security.allowAnonymousSessions ?? resolved.anonymousByDefault ?? false,
    callbackSecret: config.security.callbackSecret,
    deployment: config.security.deployment ?? resolved.deploymentByDefault,
    codecTokenSecret: loadCodecTokenSecret(config),
    trustProxy: config.security.trustProxy,
    codec: resolved.codec,
    codecCorsOrigins: config.security.codecCorsOrigins,
    rateLimit: config.security.rateLimit,
    viewerTokens: new ViewerTokens(loadViewerTokenSecret({ secret: config.security.viewerTokenSecret, dataDir: config.dataDir }), config.security.viewerTokenTtlMs),
  };
}

/** CODEC_TOKEN_SECRET when set; else DATA_DIR/codec-token-secret, created on first use. */
export const loadCodecTokenSecret = (config: AppConfig) =>
  loadLocalSecret({ secret: config.security.codecTokenSecret, dataDir: config.dataDir, file: 'codec-token-secret', variable: 'CODEC_TOKEN_SECRET' });

export function apiKeySet(options: SecurityOptions): ApiKeySet {
  if (options.apiKeys.length === 0) throw new Error('the API needs at least one API key (API_KEYS)');
  return new ApiKeySet(options.apiKeys, options.codecTokenSecret);
}
