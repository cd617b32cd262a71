import { RateLimited } from '../errors';
import type { TenantRateLimit } from './tenant-rate-limit';

/**
 * Per-tenant token bucket (rate = plan's requests/s, burst = 2× rate). In
 * process: the local platform is one process; on AWS, API Gateway usage plans
 * enforce the same per-tenant rate in front of the Lambdas.
 */
export class TenantRateLimiter implements TenantRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  take(tenantId: string, ratePerSecond: number): void {
    const now = this.now();
    const burst = ratePerSecond * 2;
    const bucket = this.buckets.get(tenantId) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(tenantId, bucket);
      throw new RateLimited(Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)));
    }
    bucket.tokens -= 1;
    this.buckets.set(tenantId, bucket);
  }
}
