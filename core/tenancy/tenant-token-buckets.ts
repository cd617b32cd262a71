/** What the owner of a tenant's bucket answers a request for tokens. */
export interface LeaseAnswer {
  /** Tokens handed over (0: refused). */
  readonly granted: number;
  /** When refused: the Retry-After to send, in whole seconds (at least 1). */
  readonly retryAfterSeconds: number;
  /** When refused: milliseconds until the bucket holds a whole token again. */
  readonly nextTokenInMs: number;
}

/**
 * Per-tenant token buckets that hand tokens out in leases: the rate is the
 * plan's requests/s, the burst 2× the rate, as the in-process
 * TenantRateLimiter. Owned by the primary of a multi-worker `npm start`: a
 * worker asks for a few tokens at a time (core/tenancy/leased-rate-limiter.ts)
 * and gives back what it did not use, so however requests spread over the
 * workers, the tenant is admitted no more than its one bucket allows.
 */
export class TenantTokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Up to `wanted` tokens (at least 1 asked), fewer when the bucket holds fewer, none when it holds less than one. */
  lease(tenantId: string, ratePerSecond: number, wanted: number): LeaseAnswer {
    const bucket = this.refilled(tenantId, ratePerSecond);
    if (bucket.tokens < 1) {
      const missing = 1 - bucket.tokens;
      return { granted: 0, retryAfterSeconds: Math.max(1, Math.ceil(missing / ratePerSecond)), nextTokenInMs: Math.ceil((missing / ratePerSecond) * 1000) };
    }
    const granted = Math.min(Math.max(1, Math.floor(wanted)), Math.floor(bucket.tokens));
    bucket.tokens -= granted;
    return { granted, retryAfterSeconds: 0, nextTokenInMs: 0 };
  }

  /** Tokens a worker leased and did not use; the bucket never holds more than its burst. */
  giveBack(tenantId: string, ratePerSecond: number, tokens: number): void {
    if (!(tokens > 0)) return;
    const bucket = this.refilled(tenantId, ratePerSecond);
    bucket.tokens = Math.min(ratePerSecond * 2, bucket.tokens + tokens);
  }

  private refilled(tenantId: string, ratePerSecond: number): { tokens: number; at: number } {
    const now = this.now();
    const burst = ratePerSecond * 2;
    let bucket = this.buckets.get(tenantId);
    if (!bucket) {
      bucket = { tokens: burst, at: now };
      this.buckets.set(tenantId, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    return bucket;
  }
}
