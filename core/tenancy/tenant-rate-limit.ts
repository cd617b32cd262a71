/**
 * Admits or refuses one request of a tenant against its plan's rate (the
 * tenant guard calls it before anything else is done for the request).
 *
 * Returns nothing when the answer is known at once — the in-process token
 * bucket always, a worker holding leased tokens — and a promise when it
 * must ask for more (a worker of `npm start --workers n` asking the primary).
 * Refuses by throwing, or rejecting with, RateLimited.
 */
export interface TenantRateLimit {
  take(tenantId: string, ratePerSecond: number): void | Promise<void>;
}
