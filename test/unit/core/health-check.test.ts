import { HealthCheck } from '../../../core/health/check-health';

describe('health check', () => {
  it('reports each dependency, degraded when one fails or hangs', async () => {
    const check = new HealthCheck(
      [
        { name: 'table', check: async () => 'ok' },
        {
          name: 'bucket',
          check: async () => {
            throw new Error('NoSuchBucket');
          },
        },
        { name: 'gateway', check: () => new Promise(() => undefined) },
      ],
      { timeoutMs: 50, cacheMs: 0 },
    );
    const report = await check.report();
    expect(report.status).toBe('degraded');
    expect(report.dependencies.map((d) => [d.name, d.status])).toEqual([
      ['table', 'ok'],
      ['bucket', 'failing'],
      ['gateway', 'failing'],
    ]);
    expect(report.dependencies[2].detail).toContain('50 ms');
  });

  it('reuses a report within the cache window', async () => {
    let calls = 0;
    let now = 0;
    const check = new HealthCheck([{ name: 't', check: async () => String(++calls) }], { cacheMs: 1000, now: () => now });
    await check.report();
    await check.report();
    expect(calls).toBe(1);
    now = 1500;
    await check.report();
    expect(calls).toBe(2);
  });
});
