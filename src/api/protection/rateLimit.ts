// A token bucket per client, in memory: each client may make `burst` requests at once and `rate`
// per second after that. One API process only; several instances behind a load balancer each
// allow the full rate (put the limit in the proxy or a shared store if that matters).

export interface RateLimitSettings {
  /** Requests per second, sustained. */
  rate: number;
  /** Requests allowed at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly settings: RateLimitSettings,
    private readonly maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `client`: 0 when allowed, else the seconds to wait for the next one. */
  take(client: string): number {
    const { rate, burst } = this.settings;
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rate);
      bucket.updatedMs = now;
      // Re-insert so the map's order stays least-recently-used first.
      this.buckets.delete(client);
    } else {
      this.prune(now);
      bucket = { tokens: burst, updatedMs: now };
    }
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / rate;
  }

  /** Keeps memory bounded: drop full (idle) buckets, then the least recently used. */
  private prune(now: number) {
    if (this.buckets.size < this.maxClients) return;
    const { rate, burst } = this.settings;
    for (const [client, b] of this.buckets) {
      if (b.tokens + ((now - b.updatedMs) / 1000) * rate >= burst) this.buckets.delete(client);
    }
    for (const client of this.buckets.keys()) {
      if (this.buckets.size < this.maxClients) break;
      this.buckets.delete(client);
    }
  }

  get clients(): number {
    return this.buckets.size;
  }
}
