import { createHash } from 'node:crypto';
import { NotFound, ValidationFailed } from '../../../core/errors';
import type { PartitionScoringRequest } from '../../../core/ports/partition-scorer';
import { parseCsvText } from '../../../core/tabular/csv-rows';
import { PartitionWorkerPool } from '../../../infra/local/partition-worker-pool';
import { CREDIT_SCORECARD_IO, creditScorecardBytes } from '../../fixtures/artifacts/credit-scorecard';
import { bootApi, onboardTenant } from '../../support/api-client';

/**
 * The local partition scorer: partitions stream from a tenant's objects
 * through the serving batch engine on worker threads, one partition per
 * thread, up to the thread limit at once; failures come back as the core
 * errors the pipeline's Retry and Catch name; a thread reads and writes only
 * the tenant the caller's object store is bound to.
 */
jest.setTimeout(120_000);

let ctx: Awaited<ReturnType<typeof bootApi>>;
let pool: PartitionWorkerPool;
let tenants: { a: string; b: string };
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  ctx = await bootApi();
  tenants = { a: (await onboardTenant(ctx.api, ctx.adminToken, 'Pool A')).tenantId, b: (await onboardTenant(ctx.api, ctx.adminToken, 'Pool B')).tenantId };
  pool = new PartitionWorkerPool({ settings: ctx.local.platform.settings, log: silent, threads: 2 });
  const artifact = creditScorecardBytes();
  await ctx.platform.tenantObjects(tenants.a).put('models/rules/rules.json', artifact, 'application/json');
  model = {
    modelId: 'm1',
    version: 1,
    runtime: 'rules',
    artifactKey: 'models/rules/rules.json',
    sha256: createHash('sha256').update(artifact).digest('hex'),
    ioSchema: CREDIT_SCORECARD_IO,
  };
});

afterAll(async () => {
  await pool?.close();
  await ctx?.local.close();
});

let model: PartitionScoringRequest['model'];
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const request = (source: string, index: number, passthrough = ['id']): PartitionScoringRequest => ({
  model,
  source,
  outputKey: `out/part-${index}.csv`,
  rejectedKey: `out/rejected-${index}.csv`,
  passthrough,
});

it('scores partitions on worker threads, two at once, streaming each from the tenant’s objects and writing its parts back', async () => {
  const objects = ctx.platform.tenantObjects(tenants.a);
  // Both are handed over at once: two threads take one each.
  const rows = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => `r${from + i},${20 + (i % 50)},${10000 + (i % 9) * 9000},employed,${i % 7 === 0}`);
  await objects.put('in/part-0.csv', `id,age,income,employment,has_defaults\n${rows(2_000, 0).join('\n')}\n`, 'text/csv');
  await objects.put('in/part-1.csv', `id,age,income,employment,has_defaults\n${rows(2_000, 2_000).join('\n')}\nbad,x,1,employed,false\n`, 'text/csv');

  const [first, second] = await Promise.all([pool.score(objects, request('in/part-0.csv', 0)), pool.score(objects, request('in/part-1.csv', 1))]);
  expect(pool.size).toBe(2);
  expect(first).toMatchObject({ rowsIn: 2_000, rowsOut: 2_000, rowsRejected: 0 });
  expect(second).toMatchObject({ rowsIn: 2_001, rowsOut: 2_000, rowsRejected: 1 });
  expect(first.statistics.score.count).toBe(2_000);

  const out = await parseCsvText(text(await objects.getBytes('out/part-1.csv')));
  expect(out.header).toEqual(['row', 'id', 'score', 'decision', 'rule']);
  expect(out.records[0].cells.slice(0, 2)).toEqual(['1', 'r2000']);
  expect(out.records).toHaveLength(2_000);
  expect(await objects.head('out/rejected-0.csv')).toBeUndefined();
  expect(text(await objects.getBytes('out/rejected-1.csv')).split('\n')[1]).toMatch(/^2001,bad,age,/);
});

it('fails a partition with the core error the pipeline names, and goes on scoring the next', async () => {
  const objects = ctx.platform.tenantObjects(tenants.a);
  await objects.put('in/no-id.csv', 'age,income,employment,has_defaults\n30,1,employed,false\n', 'text/csv');
  const missing = pool.score(objects, request('in/no-id.csv', 2));
  await expect(missing).rejects.toBeInstanceOf(ValidationFailed);
  await expect(missing).rejects.toMatchObject({ fields: [{ field: 'passthrough', problem: "no column 'id' in in/no-id.csv" }] });

  await objects.put('in/unclosed.csv', 'id,age,income,employment,has_defaults\n"r1,30,1,employed,false\n', 'text/csv');
  await expect(pool.score(objects, request('in/unclosed.csv', 3))).rejects.toMatchObject({ name: 'ValidationFailed', fields: [{ field: 'input' }] });

  await expect(pool.score(objects, request('in/no-id.csv', 4, []))).resolves.toMatchObject({ rowsIn: 1, rowsOut: 1 });
});

it('reads and writes only the tenant the caller’s store is bound to', async () => {
  // Tenant B holds no such partition (and no artifact): its thread cannot reach tenant A's.
  const other = ctx.platform.tenantObjects(tenants.b);
  await expect(pool.score(other, request('in/part-0.csv', 9))).rejects.toBeInstanceOf(NotFound);
  await other.put('in/part-0.csv', 'id,age,income,employment,has_defaults\nz,30,1,employed,false\n', 'text/csv');
  await expect(pool.score(other, request('in/part-0.csv', 9))).rejects.toMatchObject({
    name: 'NotFound',
    message: expect.stringContaining('models/rules/rules.json'),
  });
  expect(await ctx.platform.tenantObjects(tenants.a).head('out/part-9.csv')).toBeUndefined();
});

it('starts its threads at once and keeps them when warm (a server), instead of with the first partition', async () => {
  const warm = new PartitionWorkerPool({ settings: ctx.local.platform.settings, log: silent, threads: 2, warm: true, idleMs: 10 });
  try {
    expect(warm.size).toBe(2);
    await expect(warm.score(ctx.platform.tenantObjects(tenants.a), request('in/part-0.csv', 5))).resolves.toMatchObject({ rowsOut: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warm.size).toBe(2);
  } finally {
    await warm.close();
  }
  expect(warm.size).toBe(0);
});

it('streams an object from the tenant’s store without reading it whole, and refuses an absent one', async () => {
  const objects = ctx.platform.tenantObjects(tenants.a);
  const body = 'x'.repeat(3 * 1024 * 1024);
  await objects.put('in/big.txt', body);
  let chunks = 0;
  let bytes = 0;
  for await (const chunk of await objects.getStream('in/big.txt')) {
    chunks++;
    bytes += chunk.length;
  }
  expect(bytes).toBe(body.length);
  expect(chunks).toBeGreaterThan(1);
  await expect(objects.getStream('in/absent.csv')).rejects.toBeInstanceOf(NotFound);
});
