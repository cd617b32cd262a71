import { RateLimited } from '../../../core/errors';
import { LeasedRateLimiter, type RateLeaseTransport } from '../../../core/tenancy/leased-rate-limiter';
import { TenantTokenBuckets } from '../../../core/tenancy/tenant-token-buckets';

/** The primary's buckets behind a fake transport: every lease and give-back is recorded. */
function primary(clock: { now: number }) {
  const buckets = new TenantTokenBuckets(() => clock.now);
  const leases: Array<{ tenantId: string; wanted: number; granted: number }> = [];
  const givenBack: Array<{ tenantId: string; tokens: number }> = [];
  const transport: RateLeaseTransport = {
    async lease(tenantId, rate, wanted) {
      const answer = buckets.lease(tenantId, rate, wanted);
      leases.push({ tenantId, wanted, granted: answer.granted });
      return answer;
    },
    giveBack(tenantId, rate, tokens) {
      givenBack.push({ tenantId, tokens });
      buckets.giveBack(tenantId, rate, tokens);
    },
  };
  return { buckets, transport, leases, givenBack };
}

/** Whether the take admitted (true) or refused with RateLimited (its Retry-After). */
async function attempt(limiter: LeasedRateLimiter, tenantId: string, rate: number): Promise<true | number> {
  try {
    await limiter.take(tenantId, rate);
    return true;
  } catch (error) {
    if (error instanceof RateLimited) return error.retryAfterSeconds;
    throw error;
  }
}

describe('leased tenant rate limiter (a worker of npm start --workers n)', () => {
  it('leases ~50 ms of the rate at a time and admits from the lease without asking', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const limiter = new LeasedRateLimiter(p.transport, { now: () => clock.now });
    await limiter.take('a', 200); // asks: 200/s × 50 ms = 10 tokens
    expect(p.leases).toEqual([{ tenantId: 'a', wanted: 10, granted: 10 }]);
    for (let i = 0; i < 9; i++) expect(limiter.take('a', 200)).toBeUndefined(); // synchronous: no IPC
    expect(p.leases).toHaveLength(1);
    await limiter.take('a', 200); // the 11th asks again
    expect(p.leases).toHaveLength(2);
  });

  it('shares one bucket between workers: together they admit the burst, then refuse with Retry-After', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const workers = [new LeasedRateLimiter(p.transport, { now: () => clock.now }), new LeasedRateLimiter(p.transport, { now: () => clock.now })];
    const outcomes: Array<true | number> = [];
    for (let i = 0; i < 60; i++) outcomes.push(await attempt(workers[i % 2], 'a', 10));
    expect(outcomes.filter((o) => o === true)).toHaveLength(20); // burst = 2 × 10, across both workers
    expect(outcomes.slice(20).every((o) => o === 1)).toBe(true); // Retry-After: 1 s, as the in-process limiter says
    // Another tenant has its own bucket.
    expect(await attempt(workers[0], 'b', 10)).toBe(true);
  });

  it('after a refusal refuses locally until the bucket holds a token again, then asks', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const limiter = new LeasedRateLimiter(p.transport, { now: () => clock.now });
    for (let i = 0; i < 20; i++) await limiter.take('a', 10);
    expect(await attempt(limiter, 'a', 10)).toBe(1);
    const asked = p.leases.length;
    clock.now += 50; // half a token
    expect(await attempt(limiter, 'a', 10)).toBe(1);
    expect(p.leases).toHaveLength(asked); // refused without asking
    clock.now += 60; // a whole token
    expect(await attempt(limiter, 'a', 10)).toBe(true);
    expect(p.leases).toHaveLength(asked + 1);
  });

  it('gives an expired lease back, so another worker can use its tokens', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const a = new LeasedRateLimiter(p.transport, { now: () => clock.now, leaseMs: 500, holdMs: 100 });
    const b = new LeasedRateLimiter(p.transport, { now: () => clock.now, leaseMs: 500, holdMs: 100 });
    await a.take('t', 10); // leases 5 of the 20 tokens, uses 1
    for (let i = 0; i < 3; i++) await b.take('t', 10); // b leases 5 (15 left → 10)
    for (let i = 0; i < 2; i++) await b.take('t', 10);
    clock.now += 150; // a's lease (4 unused) expires; 1.5 tokens refilled meanwhile
    await a.take('t', 10); // gives back 4, then leases anew
    expect(p.givenBack).toEqual([{ tenantId: 't', tokens: 4 }]);
    // Everything admitted came out of the one bucket: 20 + 1.5 refilled, 7 used so far.
    let admitted = 7;
    for (let i = 0; i < 40; i++) if ((await attempt(i % 2 ? a : b, 't', 10)) === true) admitted++;
    expect(admitted).toBe(21);
  });

  it('lets concurrent requests of a tenant share one request for tokens', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const limiter = new LeasedRateLimiter(p.transport, { now: () => clock.now });
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => attempt(limiter, 'a', 200)));
    expect(outcomes.every((o) => o === true)).toBe(true);
    expect(p.leases.length).toBe(3); // 30 requests, 10 tokens a lease
  });

  it('lets one worker alone use the whole plan: burst, then the rate', async () => {
    const clock = { now: 0 };
    const p = primary(clock);
    const limiter = new LeasedRateLimiter(p.transport, { now: () => clock.now });
    let admitted = 0;
    for (let ms = 0; ms <= 2000; ms += 5) {
      clock.now = ms;
      for (let i = 0; i < 3; i++) if ((await attempt(limiter, 'a', 20)) === true) admitted++;
    }
    // burst 40 + 20/s × 2 s, give or take the token in flight
    expect(admitted).toBeGreaterThanOrEqual(79);
    expect(admitted).toBeLessThanOrEqual(80);
  });

  it('fails the request, not the limiter, when the primary cannot be reached', async () => {
    const clock = { now: 0 };
    let down = true;
    const p = primary(clock);
    const transport: RateLeaseTransport = {
      lease: (...args) => (down ? Promise.reject(new Error('channel closed')) : p.transport.lease(...args)),
      giveBack: (...args) => p.transport.giveBack(...args),
    };
    const limiter = new LeasedRateLimiter(transport, { now: () => clock.now });
    await expect(limiter.take('a', 10)).rejects.toThrow('channel closed');
    down = false;
    await expect(limiter.take('a', 10)).resolves.toBeUndefined();
  });
});
