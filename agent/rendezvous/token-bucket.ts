/**
 * Token buckets on injected time: `ratePerSecond` tokens accrue up to `burst`, and an allowed
 * use spends `cost` (1 for a request, the byte count for relayed bandwidth). Pure data plus
 * functions of `nowMs`, so the simulator replays them exactly.
 */
export interface BucketLimits {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface TokenBucket {
  tokens: number;
  updatedMs: number;
}

export function fullBucket(limits: BucketLimits, nowMs: number): TokenBucket {
  return { tokens: limits.burst, updatedMs: nowMs };
}

/** Spends `cost` tokens if the bucket holds them; a refused use spends nothing. */
export function takeTokens(bucket: TokenBucket, limits: BucketLimits, nowMs: number, cost = 1): boolean {
  const elapsedMs = Math.max(0, nowMs - bucket.updatedMs);
  bucket.tokens = Math.min(limits.burst, bucket.tokens + (elapsedMs * limits.ratePerSecond) / 1000);
  bucket.updatedMs = Math.max(bucket.updatedMs, nowMs);
  if (bucket.tokens < cost) return false;
  bucket.tokens -= cost;
  return true;
}

/**
 * One bucket per key (a wallet, a source host), bounded: past `keysMax` the least recently
 * used key is forgotten, which at worst hands it a full bucket again.
 */
export class KeyedBuckets {
  readonly limits: BucketLimits;
  readonly keysMax: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(limits: BucketLimits, keysMax: number) {
    this.limits = limits;
    this.keysMax = keysMax;
  }

  take(key: string, nowMs: number, cost = 1): boolean {
    const bucket = this.#buckets.get(key) ?? fullBucket(this.limits, nowMs);
    this.#buckets.delete(key); // re-inserted last: Map order is recency order
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.keysMax) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    return takeTokens(bucket, this.limits, nowMs, cost);
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** The host of `host:port` or `[v6]:port`: per-source limits count a host, not each of its ports. */
export function sourceHost(address: string): string {
  const colon = address.lastIndexOf(':');
  return colon <= 0 ? address : address.slice(0, colon);
}
