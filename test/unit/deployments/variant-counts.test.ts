import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import type { Deployment } from '../../../core/deployments/deployment-records';
import { flushVariantCounts, latencyBucket, latencyBucketBound, SharedVariantCounts } from '../../../core/deployments/variant-counts';
import type { MetadataTable } from '../../../core/ports/metadata-store';
import { newTenantId } from '../../../core/tenancy/tenant-id';

/** Two recorders (two API processes) over one embedded store. */
describe('shared variant counts', () => {
  let store: SqliteStore;
  let table: MetadataTable;
  const deployment = { deploymentId: 'd1', canary: { stepIndex: 0 } } as unknown as Deployment;

  beforeEach(() => {
    store = new SqliteStore({ path: ':memory:', ttlSweepMs: 0 });
    table = store.tenant(newTenantId());
  });
  afterEach(() => store.close());

  it('writes what every buffer of the process holds when it shuts down (flushVariantCounts), before the store closes', async () => {
    const a = new SharedVariantCounts();
    const b = new SharedVariantCounts();
    for (let i = 0; i < 3; i++) a.record(table, deployment, 'canary', true, 5);
    b.record(table, deployment, 'canary', false, 5);
    await flushVariantCounts();
    // A third recorder sees them in the store: nothing of a's or b's is left only in memory.
    expect(await new SharedVariantCounts().stats(table, deployment, 'canary')).toMatchObject({ requests: 4, errors: 1 });
  });

  it('adds every recorder’s calls: each reads the other’s once flushed, and its own at once', async () => {
    const a = new SharedVariantCounts();
    const b = new SharedVariantCounts();
    for (let i = 0; i < 6; i++) a.record(table, deployment, 'canary', i !== 0, 5);
    for (let i = 0; i < 4; i++) b.record(table, deployment, 'canary', false, 200);
    b.record(table, deployment, 'main', true, 1);
    expect(await a.stats(table, deployment, 'canary')).toMatchObject({ requests: 6, errors: 1 });
    await b.flush();
    const both = await a.stats(table, deployment, 'canary');
    expect(both).toMatchObject({ requests: 10, errors: 5, errorRate: 0.5 });
    // p50 among the 5 ms calls, p99 among the 200 ms ones, each within one bucket (19 %).
    expect(both.p50Ms).toBeGreaterThanOrEqual(5);
    expect(both.p50Ms).toBeLessThan(5 * 1.19);
    expect(both.p99Ms).toBeGreaterThanOrEqual(200);
    expect(both.p99Ms).toBeLessThan(200 * 1.19);
    await a.flush();
    expect(await b.stats(table, deployment, 'canary')).toEqual(both);
    expect(await b.stats(table, deployment, 'main')).toMatchObject({ requests: 1, errors: 0 });
    // A new canary step starts from zero.
    expect(await a.stats(table, { ...deployment, canary: { stepIndex: 1 } } as unknown as Deployment, 'canary')).toMatchObject({ requests: 0 });
  });

  it('keeps counting calls in runs for one variant across flushes, variants, deployments and tables, none lost or counted twice', async () => {
    const counts = new SharedVariantCounts();
    const other = store.tenant(newTenantId());
    const stepped = { deploymentId: 'd1', canary: { stepIndex: 1 } } as unknown as Deployment;
    for (let i = 0; i < 3; i++) counts.record(table, deployment, 'main', true, 1);
    await counts.flush();
    // The same variant again right after a flush: into the new buffer, not the written one.
    for (let i = 0; i < 2; i++) counts.record(table, deployment, 'main', false, 1);
    counts.record(table, deployment, 'canary', true, 1);
    counts.record(table, deployment, 'main', true, 1);
    counts.record(other, deployment, 'main', true, 1);
    counts.record(table, stepped, 'main', true, 1);
    counts.record(table, { ...deployment }, 'main', true, 1);
    await counts.flush();
    const reader = new SharedVariantCounts();
    expect(await reader.stats(table, deployment, 'main')).toMatchObject({ requests: 7, errors: 2 });
    expect(await reader.stats(table, deployment, 'canary')).toMatchObject({ requests: 1, errors: 0 });
    expect(await reader.stats(other, deployment, 'main')).toMatchObject({ requests: 1 });
    expect(await reader.stats(table, stepped, 'main')).toMatchObject({ requests: 1 });
  });

  it('counts each minute on its own item, the minute taken from the clock at every call', async () => {
    let at = new Date('2026-12-06T06:59:58.000Z');
    const counts = new SharedVariantCounts({ now: () => at });
    counts.record(table, deployment, 'main', true, 1);
    counts.record(table, deployment, 'main', true, 1);
    at = new Date('2026-12-06T07:00:01.000Z');
    counts.record(table, deployment, 'main', false, 1);
    await counts.flush();
    const page = await table.query<Record<string, unknown>>({ partition: ['VARIANTCOUNT', 'd1', 0], sortBeginsWith: 'main#', consistent: true });
    // In sort-key order (`main#2026-12-06T06:59`, then `…T07:00`): requests and errors of each minute.
    expect(page.items.map((i) => [i.requests, i.errors ?? 0])).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(await counts.stats(table, deployment, 'main')).toMatchObject({ requests: 3, errors: 1 });
  });

  it('keeps the counts a failed flush could not write and writes them on the next', async () => {
    const counts = new SharedVariantCounts();
    let failing = true;
    const flaky: MetadataTable = new Proxy(table, {
      get: (target, name, receiver) =>
        name === 'adjust' && failing ? () => Promise.reject(new Error('store unavailable')) : Reflect.get(target, name, receiver),
    });
    counts.record(flaky, deployment, 'canary', false, 3);
    await counts.flush();
    failing = false;
    expect(await counts.stats(table, deployment, 'canary')).toMatchObject({ requests: 1, errors: 1 });
    await counts.flush();
    expect(await new SharedVariantCounts().stats(table, deployment, 'canary')).toMatchObject({ requests: 1, errors: 1 });
  });

  it('buckets latencies so a bucket’s bound is within a quarter-doubling above the latency', () => {
    for (const ms of [0.02, 0.5, 1, 3.7, 20, 999, 60_000]) {
      const bound = latencyBucketBound(latencyBucket(ms));
      expect(bound).toBeGreaterThanOrEqual(ms * 0.999999);
      expect(bound).toBeLessThan(ms * 2 ** 0.25 + 1e-9);
    }
  });
});
