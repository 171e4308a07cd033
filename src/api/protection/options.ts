// What the API needs to protect itself; built once per process from the configuration.
import type { PayloadCodec } from '@temporalio/common';
import type { AppConfig } from '../../config/index.js';
import { ApiKeySet } from './apiKeys.js';
import type { RateLimitSettings } from './rateLimit.js';
import { ViewerTokens, loadViewerTokenSecret } from './viewerTokens.js';

export interface SecurityOptions {
  /** Keys accepted in `Authorization: Bearer <key>` (at least one). */
  apiKeys: string[];
  /** Accept POST /api/sessions without a key (demo mode); default false. */
  allowAnonymousSessions?: boolean;
  /** When set, GET /api/callback must be signed (see callbackSignature.ts). */
  callbackSecret?: string;
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
  resolved: { apiKeys: string[]; codec: PayloadCodec; /** When ALLOW_ANONYMOUS_SESSIONS is unset. */ anonymousByDefault?: boolean },
): SecurityOptions {
  return {
    apiKeys: resolved.apiKeys,
    allowAnonymousSessions: config.security.allowAnonymousSessions ?? resolved.anonymousByDefault ?? false,
    callbackSecret: config.security.callbackSecret,
    codec: resolved.codec,
    codecCorsOrigins: config.security.codecCorsOrigins,
    rateLimit: config.security.rateLimit,
    viewerTokens: new ViewerTokens(loadViewerTokenSecret({ secret: config.security.viewerTokenSecret, dataDir: config.dataDir }), config.security.viewerTokenTtlMs),
  };
}

export function apiKeySet(options: SecurityOptions): ApiKeySet {
  if (options.apiKeys.length === 0) throw new Error('the API needs at least one API key (API_KEYS)');
  return new ApiKeySet(options.apiKeys);
}
