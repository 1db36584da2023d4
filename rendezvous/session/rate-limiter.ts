/**
 * Per-source token buckets (WireGuard ratelimiter.c): each source earns `ratePerSecond`
 * tokens up to `burst`, and each allowed packet spends one. The table is bounded: when it
 * is full the least recently used source is forgotten, which at worst gives it a full bucket.
 */
export type RateLimiterOptions = { ratePerSecond: number; burst: number; sourcesMax: number };

type Bucket = { tokens: number; updatedMs: number };

export class RateLimiter {
  readonly options: RateLimiterOptions;
  #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.options = options;
  }

  allow(source: string, nowMs: number): boolean {
    const { ratePerSecond, burst, sourcesMax } = this.options;
    const bucket = this.#buckets.get(source) ?? { tokens: burst, updatedMs: nowMs };
    this.#buckets.delete(source);
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.updatedMs) * ratePerSecond) / 1000);
    bucket.updatedMs = nowMs;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(source, bucket);
    if (this.#buckets.size > sourcesMax) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return allowed;
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** The host part of `host:port` or `[v6]:port`: rate limits apply per host, not per port. */
export function addressHost(address: string): string {
  const colon = address.lastIndexOf(':');
  return colon <= 0 ? address : address.slice(0, colon);
}
