// Prometheus metrics for showprint (prom-client). One registry per process; the API serves it at
// /metrics together with the Temporal SDK's own worker metrics, which the SDK's Rust core exports
// on its own port (Runtime.install telemetry) and we append to the scrape.
import client from 'prom-client';
import { STAGES } from '../contracts/index.js';

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'showprint_process_' });

export const sessionsStarted = new client.Counter({ name: 'showprint_sessions_started_total', help: 'Sessions started through the API', registers: [registry] });
export const sessionsFinished = new client.Counter({
  name: 'showprint_sessions_finished_total',
  help: 'Sessions that reached a terminal state',
  labelNames: ['state'] as const,
  registers: [registry],
});
export const sessionDuration = new client.Histogram({
  name: 'showprint_session_duration_seconds',
  help: 'From session creation to its report',
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
  registers: [registry],
});
const stageDuration = new client.Histogram({
  name: 'showprint_stage_activity_duration_seconds',
  help: 'Duration of each stage activity (fetch, show data, crawl, AI, report)',
  labelNames: ['stage', 'activity', 'outcome'] as const,
  buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 180],
  registers: [registry],
});
export const externalCalls = new client.Counter({
  name: 'showprint_external_requests_total',
  help: 'Requests to external services by outcome (ok, rate_limited, server_error, error, circuit_open)',
  labelNames: ['service', 'outcome'] as const,
  registers: [registry],
});
export const rtMatches = new client.Counter({
  name: 'showprint_rt_matches_total',
  help: 'Shows resolved on Rotten Tomatoes, by how: wikidata (TMDB id → RT id), slug (a guessed page whose JSON-LD agreed) or not_found',
  labelNames: ['method'] as const,
  registers: [registry],
});
export const showsIdentified = new client.Counter({
  name: 'showprint_shows_identified_total',
  help: 'Shows matched on TMDB, by how: imdb or tvdb (an id Gandalf sent, looked up with /find) or name (a search)',
  labelNames: ['method'] as const,
  registers: [registry],
});
export const identifiersIgnored = new client.Counter({
  name: 'showprint_gandalf_identifiers_ignored_total',
  help: "Entries of Gandalf's activity subject lists that were malformed (unknown type, bad value) and ignored",
  registers: [registry],
});
export const robotsDisallowed = new client.Counter({
  name: 'showprint_robots_disallowed_total',
  help: 'URLs the crawler did not request because robots.txt forbids them (each show is dead-lettered with the path)',
  labelNames: ['service'] as const,
  registers: [registry],
});
export const circuitState = new client.Gauge({
  name: 'showprint_circuit_state',
  help: 'Circuit breaker state per service: 0 closed, 2 open (an open circuit past its open time lets requests through and closes on the first success)',
  labelNames: ['service'] as const,
  registers: [registry],
});

const STAGE_OF: Record<string, string> = {
  fetchHistoryBatch: 'fetch',
  // The pipeline's stages, by their activities.
  ...Object.fromEntries(STAGES.map((row) => [row.activity, row.name])),
  writeShowQuips: 'quips',
  pickTvBff: 'bff',
  pickStarSign: 'starSign',
  buildReport: 'report',
};

/** Wraps every activity so its duration and outcome are observed under its stage. */
export function instrumentActivities<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const end = stageDuration.startTimer({ stage: STAGE_OF[name] ?? 'other', activity: name });
      try {
        const result = await fn(...args);
        end({ outcome: 'ok' });
        return result;
      } catch (error) {
        end({ outcome: 'error' });
        throw error;
      }
    };
  }
  return wrapped as T;
}

/** Our metrics plus, when the SDK exporter runs in this process, the Temporal worker's. */
export async function scrape(sdkMetricsUrl?: string): Promise<string> {
  let text = await registry.metrics();
  if (sdkMetricsUrl) {
    try {
      const res = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) text += `\n# Temporal SDK worker metrics\n${await res.text()}`;
    } catch {
      text += '\n# Temporal SDK metrics unavailable\n';
    }
  }
  return text;
}
