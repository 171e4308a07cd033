// The one place configuration is read and validated. Everything else receives a typed AppConfig.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { parsePayloadKeys } from './payloadKeys.js';
import { apiKeyEntryProblem } from './apiKeys.js';
import type { PipelineSettings } from '../contracts/index.js';
import { type TemporalTarget, readTemporalTarget } from './temporalTarget.js';

/** Tunables the workflows receive in their input (defined next to the workflows, which never read the environment). */
export type { PipelineSettings };

/** Parses a duration ("90s", "2m", "7d") of at least `minMs` inside a zod transform. */
function toMs(value: string, ctx: z.RefinementCtx, minMs: number, hint = ''): number {
  try {
    const ms = parseDuration(value);
    if (ms < minMs) ctx.addIssue({ code: 'custom', message: `must be at least ${minMs / 1000}s${hint}` });
    return ms;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
}
const duration = (fallback: string, minMs = 0) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => toMs(value, ctx, minMs));
/** A duration, or `off` (undefined). */
const durationOrOff = (fallback: string, minMs = 0) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => (value.trim() === 'off' ? undefined : toMs(value, ctx, minMs, ' (or off)')));
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback);
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const optionalUrl = z.string().url().optional();
const optionalText = z.string().min(1).optional();
/** A comma-separated list; messages never echo the values (they may be secrets). */
const list = (check: (item: string) => string | undefined) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      items.forEach((item, i) => {
        const problem = check(item);
        if (problem) ctx.addIssue({ code: 'custom', message: `item ${i + 1} ${problem}` });
      });
      return items;
    });

/** Every environment variable showprint reads, with its default. README's table mirrors this. */
export const envSchema = z.object({
  PORT: int(3000, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),

  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('showprint'),
  TEMPORAL_PORT: int(7233, 1, 65535),
  TEMPORAL_UI_PORT: int(8233, 1, 65535),
  TEMPORAL_CLI_PATH: optionalText,

  DATABASE_URL: optionalText,

  GANDALF_URL: optionalUrl,
  GANDALF_PRIVATE_KEY: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex, optionally 0x-prefixed').optional(),
  TMDB_URL: optionalUrl,
  TMDB_API_KEY: optionalText,
  RT_URL: optionalUrl,
  RT_USER_AGENT: z.string().default('showprint-crawler/0.1 (+https://github.com/showprint; polite, rate-capped)'),
  /** Unset: the stand-in's when RT is the stand-in, the real endpoint when RT_URL is the real site (see wikidataUrlFor). */
  WIKIDATA_URL: optionalUrl,
  /** Wikimedia's User-Agent policy: name, version, contact (a URL or an e-mail; deployers should put their own), library. */
  WIKIDATA_USER_AGENT: z.string().trim().min(1).default('showprint/0.1 (+https://github.com/showprint; TMDB to Rotten Tomatoes id lookups) got/14'),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalText,
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  AI_MAX_ATTEMPTS: int(3, 1, 10),
  AI_TIMEOUT: duration('30s'),

  GANDALF_RPS: positive(20),
  TMDB_RPS: positive(45),
  /** Unset: 2/s against the real site (a polite crawl), 20/s against a stand-in or a mirror. */
  RT_RPS: z.coerce.number().positive().optional(),
  WIKIDATA_RPS: positive(5),
  /**
   * Shows a worker crawls on RT, and looks up on TMDB, at once over every chunk; a session waiting
   * gets an equal share (activities/fairLanes.ts). 64 and 48: what 8 chunks kept in flight before.
   */
  RT_MAX_CONCURRENCY: int(64, 1, 1000),
  TMDB_MAX_CONCURRENCY: int(48, 1, 1000),
  HTTP_TIMEOUT: duration('15s'),
  CIRCUIT_FAILURE_THRESHOLD: int(5, 1, 1000),
  CIRCUIT_OPEN: duration('30s'),
  /** How long a service may keep refusing us for pace (429/503) before the session says so (and a call gives up). */
  THROTTLE_PATIENCE: duration('30m', 1_000),

  PAGE_SIZE: int(300, 1, 300),
  PAGES_PER_FETCH: int(8, 1, 50),
  FETCH_CONCURRENCY: int(2, 1, 20),
  CHUNK_SIZE: int(50, 1, 500),
  FIRST_CHUNK_SIZE: int(10, 1, 500),
  CHILD_WINDOW: int(8, 1, 200),
  CONTINUE_AS_NEW_EVERY_PAGES: int(100, 1, 10_000),
  CONNECT_TIMEOUT: duration('1d'),
  SHOW_CACHE_TTL: duration('7d'),
  STAR_SIGN_GATE: z.coerce.number().min(0).max(1).default(0.97),
  /** After this long processing, a session without its final report stores a provisional one; `off`: none. */
  REPORT_DEADLINE: durationOrOff('2m'),
  /** How often the catalog crawl pre-warms the show cache (a Schedule); `off` deletes it. */
  CATALOG_CRAWL: durationOrOff('1d', 60_000),
  CATALOG_TARGET: int(500, 1, 100_000),
  CATALOG_ROUNDS: int(3, 1, 100),
  CHUNK_MAX_ATTEMPTS: int(8, 1, 100),
  CHUNK_RETRY_INITIAL: duration('2s'),

  /** Operator keys: `<key>` (every scope) or `<key>:<scope>+<scope>`, scopes read, write, admin. */
  API_KEYS: list(apiKeyEntryProblem),
  /** Where viewers reach the app (share links and their previews need absolute URLs); unset: taken from each request. */
  PUBLIC_URL: optionalUrl,
  /** Signs viewer tokens (at least 32 characters); unset, a local secret under DATA_DIR. Share it between API instances. */
  VIEWER_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  VIEWER_TOKEN_TTL: duration('30d'),
  /** Finished sessions older than this are forgotten by the retention schedule; `off` keeps them. */
  RETENTION: durationOrOff('30d', 60_000),
  ALLOW_ANONYMOUS_SESSIONS: z.enum(['true', 'false']).optional(),
  CALLBACK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * `local`: the demo on one machine (npm start's default): links may be built from the request's
   * Host, cookies follow the request's scheme, Gandalf's callback may be unsigned and plaintext
   * payloads are read. `production` (the standalone API and worker's default) allows none of that.
   */
  DEPLOYMENT: z.enum(['local', 'production']).optional(),
  /** Signs the Temporal Web UI's codec URLs (at least 32 characters); unset, a local secret under DATA_DIR. Rotate it to void them all. */
  CODEC_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Express's `trust proxy`: `true`, a hop count, or addresses/subnets (`loopback`, `10.0.0.0/8`); unset: trust none. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value): boolean | number | string | undefined => {
      if (value === undefined || value === 'false') return undefined;
      if (value === 'true') return true;
      return /^\d+$/.test(value) ? Number(value) : value;
    }),
  PAYLOAD_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parsePayloadKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  CODEC_CORS_ORIGIN: list((o) => (/^https?:\/\/[^/\s]+$/.test(o) ? undefined : 'must be an origin like http://127.0.0.1:8233')),
  API_RATE_LIMIT: positive(20),
  API_RATE_BURST: int(40, 1, 100_000),

  SDK_METRICS_PORT: int(0, 0, 65535),
  METRICS_PORT: int(0, 0, 65535),
  /** The dataKey `npm start`'s demo session uses; unset, the stand-ins' first demo viewer. */
  DEMO_DATA_KEY: optionalText,
  /** A workflow bundle built ahead (`npm run build` writes dist/workflow-bundle.js; the image sets it). Unset: bundle the sources at start. */
  WORKFLOW_BUNDLE_PATH: optionalText,
  STANDINS: z.enum(['auto', 'on', 'off']).default('auto'),
});

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  env: Env;
  port: number;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  temporal: {
    /** The configured server's address (undefined: none; `npm start` then runs a dev server). */
    address?: string;
    /** The configured server with its TLS, API key and metadata (src/temporal/connection.ts). */
    target?: TemporalTarget;
    namespace: string;
    taskQueue: string;
    port: number;
    uiPort: number;
    cliPath?: string;
  };
  databaseUrl?: string;
  services: {
    gandalfUrl?: string;
    gandalfPrivateKey?: string;
    tmdbUrl?: string;
    tmdbApiKey?: string;
    rtUrl?: string;
    rtUserAgent: string;
    wikidataUrl?: string;
    wikidataUserAgent: string;
    openaiBaseUrl?: string;
    openaiApiKey?: string;
    openaiModel: string;
    aiMaxAttempts: number;
    aiTimeoutMs: number;
    httpTimeoutMs: number;
  };
  rates: { gandalf: number; tmdb: number; rt: number; rtMaxConcurrency: number; tmdbMaxConcurrency: number; wikidata: number };
  circuit: { failureThreshold: number; openMs: number };
  /** How long a service may refuse us for pace before it is reported: throttling has a time budget, not an attempt budget. */
  throttlePatienceMs: number;
  pipeline: PipelineSettings;
  security: {
    /** From API_KEYS; empty = none configured (npm start and the API generate a local one). */
    apiKeys: string[];
    /** Unset = decided by the entry point (npm start allows them when the stand-ins run). */
    allowAnonymousSessions?: boolean;
    callbackSecret?: string;
    /** Unset = decided by the entry point (npm start: local; the standalone API and worker: production). */
    deployment?: 'local' | 'production';
    codecTokenSecret?: string;
    trustProxy?: boolean | number | string;
    /** Raw PAYLOAD_KEYS (validated); unset = a local key under DATA_DIR. */
    payloadKeys?: string;
    codecCorsOrigins: string[];
    rateLimit: { rate: number; burst: number };
    /** Unset = a local secret under DATA_DIR (see src/api/protection/viewerTokens.ts). */
    viewerTokenSecret?: string;
    viewerTokenTtlMs: number;
    /** Finished sessions are forgotten this long after they end; undefined = kept (RETENTION=off). */
    retentionMs?: number;
  };
  /** PUBLIC_URL: the origin share links and link previews name; undefined = the request's own. */
  publicUrl?: string;
  /** The catalog crawl's schedule (undefined: none) and its run settings. */
  catalog: { everyMs?: number; target: number; rounds: number };
  demoDataKey?: string;
  standins: Env['STANDINS'];
  workflowBundlePath?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What a polite crawler of the real Rotten Tomatoes sends by default (DESIGN §4's "real" setting). */
const REAL_RT_RPS = 2;

function isRealRt(rtUrl: string | undefined): boolean {
  try {
    return rtUrl !== undefined && /^(www\.)?rottentomatoes\.com$/.test(new URL(rtUrl).hostname);
  } catch {
    return false;
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  let target: TemporalTarget | undefined;
  try {
    target = readTemporalTarget(source, { readDefaultFile: source === process.env });
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  Temporal connection: ${(error as Error).message}`);
  }
  return {
    env,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    temporal: {
      address: target?.address,
      target,
      // A profile's namespace, unless TEMPORAL_NAMESPACE says otherwise (envconfig applies it already).
      namespace: target?.namespace ?? env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      port: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
      cliPath: env.TEMPORAL_CLI_PATH,
    },
    databaseUrl: env.DATABASE_URL,
    services: {
      gandalfUrl: env.GANDALF_URL,
      gandalfPrivateKey: env.GANDALF_PRIVATE_KEY,
      tmdbUrl: env.TMDB_URL,
      tmdbApiKey: env.TMDB_API_KEY,
      rtUrl: env.RT_URL,
      rtUserAgent: env.RT_USER_AGENT,
      wikidataUrl: env.WIKIDATA_URL,
      wikidataUserAgent: env.WIKIDATA_USER_AGENT,
      openaiBaseUrl: env.OPENAI_BASE_URL,
      openaiApiKey: env.OPENAI_API_KEY,
      openaiModel: env.OPENAI_MODEL,
      aiMaxAttempts: env.AI_MAX_ATTEMPTS,
      aiTimeoutMs: env.AI_TIMEOUT,
      httpTimeoutMs: env.HTTP_TIMEOUT,
    },
    rates: { gandalf: env.GANDALF_RPS, tmdb: env.TMDB_RPS, rt: env.RT_RPS ?? (isRealRt(env.RT_URL) ? REAL_RT_RPS : 20), rtMaxConcurrency: env.RT_MAX_CONCURRENCY, tmdbMaxConcurrency: env.TMDB_MAX_CONCURRENCY, wikidata: env.WIKIDATA_RPS },
    circuit: { failureThreshold: env.CIRCUIT_FAILURE_THRESHOLD, openMs: env.CIRCUIT_OPEN },
    throttlePatienceMs: env.THROTTLE_PATIENCE,
    pipeline: {
      pageSize: env.PAGE_SIZE,
      pagesPerFetch: env.PAGES_PER_FETCH,
      fetchConcurrency: env.FETCH_CONCURRENCY,
      chunkSize: env.CHUNK_SIZE,
      firstChunkSize: Math.min(env.FIRST_CHUNK_SIZE, env.CHUNK_SIZE),
      childWindow: env.CHILD_WINDOW,
      continueAsNewEveryPages: env.CONTINUE_AS_NEW_EVERY_PAGES,
      connectTimeoutMs: env.CONNECT_TIMEOUT,
      showCacheTtlMs: env.SHOW_CACHE_TTL,
      starSignGate: env.STAR_SIGN_GATE,
      chunkRetry: { maximumAttempts: env.CHUNK_MAX_ATTEMPTS, initialIntervalMs: env.CHUNK_RETRY_INITIAL },
      reportDeadlineMs: env.REPORT_DEADLINE,
    },
    security: {
      apiKeys: env.API_KEYS,
      allowAnonymousSessions: env.ALLOW_ANONYMOUS_SESSIONS === undefined ? undefined : env.ALLOW_ANONYMOUS_SESSIONS === 'true',
      callbackSecret: env.CALLBACK_SECRET,
      deployment: env.DEPLOYMENT,
      codecTokenSecret: env.CODEC_TOKEN_SECRET,
      trustProxy: env.TRUST_PROXY,
      payloadKeys: env.PAYLOAD_KEYS,
      // The Web UI of the dev server `npm start` runs, unless told otherwise.
      codecCorsOrigins: env.CODEC_CORS_ORIGIN.length > 0 ? env.CODEC_CORS_ORIGIN : [`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`, `http://localhost:${env.TEMPORAL_UI_PORT}`],
      rateLimit: { rate: env.API_RATE_LIMIT, burst: env.API_RATE_BURST },
      viewerTokenSecret: env.VIEWER_TOKEN_SECRET,
      viewerTokenTtlMs: env.VIEWER_TOKEN_TTL,
      retentionMs: env.RETENTION,
    },
    publicUrl: env.PUBLIC_URL,
    catalog: { everyMs: env.CATALOG_CRAWL, target: env.CATALOG_TARGET, rounds: env.CATALOG_ROUNDS },
    demoDataKey: env.DEMO_DATA_KEY,
    standins: env.STANDINS,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
  };
}

/** The external services the worker needs, once every URL and key is known (real or stand-in). */
export interface ServiceEndpoints {
  gandalfUrl: string;
  gandalfPrivateKey: string;
  tmdbUrl: string;
  tmdbApiKey: string;
  rtUrl: string;
  /** Unset: no Wikidata lookups (RT pages are found from slug candidates only). */
  wikidataUrl?: string;
  openaiBaseUrl?: string;
  openaiApiKey?: string;
}

export const WIKIDATA_REAL_URL = 'https://query.wikidata.org/sparql';

/**
 * Wikidata's answers are RT ids, so unless WIKIDATA_URL says otherwise Wikidata follows RT: the real
 * endpoint only for the real site, the stand-in (when one runs) for the stand-in, none for any other RT.
 */
export function wikidataUrlFor(rtUrl: string, opts: { configured?: string; standin?: string; rtStandin?: string } = {}): string | undefined {
  if (opts.configured) return opts.configured;
  if (opts.standin && rtUrl === opts.rtStandin) return opts.standin;
  return isRealRt(rtUrl) ? WIKIDATA_REAL_URL : undefined;
}

/**
 * Everything a standalone worker needs to reach real services. It starts no stand-ins and has no demo
 * keys to fall back on, so every URL and key must be configured; the error names all that is missing.
 */
export function requireEndpoints(config: AppConfig): ServiceEndpoints & { temporal: TemporalTarget } {
  const s = config.services;
  const required: [string, string | undefined][] = [
    ['TEMPORAL_ADDRESS', config.temporal.address],
    ['GANDALF_URL', s.gandalfUrl],
    ['GANDALF_PRIVATE_KEY', s.gandalfPrivateKey],
    ['TMDB_URL', s.tmdbUrl],
    ['TMDB_API_KEY', s.tmdbApiKey],
    ['RT_URL', s.rtUrl],
  ];
  // The LLM is optional (without it the local engine writes the text); once configured, it needs its key.
  if (s.openaiBaseUrl) required.push(['OPENAI_API_KEY', s.openaiApiKey]);
  const missing = required.filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) {
    throw new ConfigError(
      `A standalone worker needs the real services' URLs and keys; missing: ${missing.join(', ')}.\n` +
        (missing.includes('TEMPORAL_ADDRESS') ? 'A temporal.toml profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE) can name the Temporal server instead.\n' : '') +
        'It starts no stand-ins and has no demo keys (`npm start` runs the stand-ins locally).',
    );
  }
  return {
    temporal: config.temporal.target!,
    gandalfUrl: s.gandalfUrl!,
    gandalfPrivateKey: s.gandalfPrivateKey!,
    tmdbUrl: s.tmdbUrl!,
    tmdbApiKey: s.tmdbApiKey!,
    rtUrl: s.rtUrl!,
    wikidataUrl: wikidataUrlFor(s.rtUrl!, { configured: s.wikidataUrl }),
    openaiBaseUrl: s.openaiBaseUrl,
    openaiApiKey: s.openaiApiKey,
  };
}
