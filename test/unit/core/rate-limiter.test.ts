import { RateLimited } from '../../../core/errors';
import { TenantRateLimiter } from '../../../core/tenancy/rate-limiter';

describe('tenant rate limiter', () => {
  it('admits a burst of 2× the rate, then refills at the rate, per tenant', () => {
    let now = 0;
    const limiter = new TenantRateLimiter(() => now);
    for (let i = 0; i < 20; i++) limiter.take('a', 10);
    expect(() => limiter.take('a', 10)).toThrow(RateLimited);
    limiter.take('b', 10); // another tenant is unaffected
    now += 100; // 0.1 s → one token
    limiter.take('a', 10);
    expect(() => limiter.take('a', 10)).toThrow(RateLimited);
  });
});
