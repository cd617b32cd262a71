import { RateLimited } from '../errors';
import type { TenantRateLimit } from './tenant-rate-limit';
import type { LeaseAnswer } from './tenant-token-buckets';

/** How a worker reaches the owner of the tenants' buckets (over cluster IPC in `npm start --workers n`). */
export interface RateLeaseTransport {
  lease(tenantId: string, ratePerSecond: number, wanted: number): Promise<LeaseAnswer>;
  /** Unused tokens of an expired lease; nothing is answered. */
  giveBack(tenantId: string, ratePerSecond: number, tokens: number): void;
}

export interface LeasedRateLimiterOptions {
  /** A lease asks for this much of the plan's rate (at least one token). @default 50 ms */
  readonly leaseMs?: number;
  /** Leased tokens not used within this long go back to the bucket. @default 1000 ms */
  readonly holdMs?: number;
  readonly now?: () => number;
}

interface Lease {
  tokens: number;
  rate: number;
  expiresAt: number;
  refusedUntil: number;
  retryAfterSeconds: number;
  asking?: Promise<void>;
}

/**
 * A worker's side of a tenant rate limit shared by several processes: the
 * tenant's one bucket lives elsewhere (core/tenancy/tenant-token-buckets.ts,
 * in the primary); the worker leases a few tokens at a time (~50 ms of the
 * plan's rate), admits from them without asking, and asks again when they
 * run out — concurrent requests of a tenant share one request for tokens.
 * A refusal answers 429 with the bucket's Retry-After, and further requests
 * of that tenant are refused here, without asking, until the bucket holds a
 * token again. Tokens not used within `holdMs` go back, so a worker never
 * sits on what another could use: admitted requests never exceed what the
 * one bucket handed out.
 */
export class LeasedRateLimiter implements TenantRateLimit {
  private readonly leases = new Map<string, Lease>();
  private readonly leaseMs: number;
  private readonly holdMs: number;
  private readonly now: () => number;

  constructor(
    private readonly transport: RateLeaseTransport,
    options: LeasedRateLimiterOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 50;
    this.holdMs = options.holdMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
  }

  take(tenantId: string, ratePerSecond: number): void | Promise<void> {
    const lease = this.leases.get(tenantId);
    if (lease && !lease.asking) {
      const now = this.now();
      if (lease.tokens >= 1 && now < lease.expiresAt) {
        lease.tokens -= 1;
        return;
      }
      if (now < lease.refusedUntil) throw new RateLimited(lease.retryAfterSeconds);
    }
    return this.ask(tenantId, ratePerSecond);
  }

  private async ask(tenantId: string, ratePerSecond: number): Promise<void> {
    let lease = this.leases.get(tenantId);
    if (!lease) {
      lease = { tokens: 0, rate: ratePerSecond, expiresAt: 0, refusedUntil: 0, retryAfterSeconds: 1 };
      this.leases.set(tenantId, lease);
    }
    for (;;) {
      if (lease.asking) {
        await lease.asking;
        continue;
      }
      const now = this.now();
      if (lease.tokens >= 1 && now < lease.expiresAt) {
        lease.tokens -= 1;
        return;
      }
      if (now < lease.refusedUntil) throw new RateLimited(lease.retryAfterSeconds);
      const current = lease;
      // Cleared in a later microtask, so always after it was set, even when renew fails at once.
      current.asking = this.renew(tenantId, ratePerSecond, current).finally(() => {
        current.asking = undefined;
      });
    }
  }

  /** Gives back the expired lease's leftovers, then asks for a new one. */
  private async renew(tenantId: string, ratePerSecond: number, lease: Lease): Promise<void> {
    if (lease.tokens >= 1) this.transport.giveBack(tenantId, lease.rate, Math.floor(lease.tokens));
    lease.tokens = 0;
    const wanted = Math.max(1, Math.ceil((ratePerSecond * this.leaseMs) / 1000));
    const answer = await this.transport.lease(tenantId, ratePerSecond, wanted);
    const at = this.now();
    lease.rate = ratePerSecond;
    if (answer.granted > 0) {
      lease.tokens = answer.granted;
      lease.expiresAt = at + this.holdMs;
      lease.refusedUntil = 0;
    } else {
      lease.refusedUntil = at + Math.max(1, answer.nextTokenInMs);
      lease.retryAfterSeconds = answer.retryAfterSeconds;
    }
  }
}
