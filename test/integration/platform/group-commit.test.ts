import { randomUUID } from 'node:crypto';
import { QuotaCeiling, type ScopedTable, type ScopedWrite } from '../../../core/adapters/dynamodb/scoped-table';
import { Conflict, DependencyFailed, StaleWrite } from '../../../core/errors';
import { testPlatform } from '../../support/test-platform';

/**
 * Group commit (core/adapters/dynamodb/transaction-combiner.ts and
 * counter-combiner.ts) against DynamoDB Local: concurrent writes share calls,
 * and every caller still gets exactly its own transaction's outcome.
 */
describe('group commit on DynamoDB Local', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;
  let table: ScopedTable;
  let sends: jest.SpyInstance;
  const calls = (name: string) => sends.mock.calls.filter(([command]) => command.constructor.name === name).length;
  /** The item lists of the TransactWriteItems calls that carried a put to a partition ending with `suffix`. */
  const callsCarrying = (suffix: string) =>
    sends.mock.calls
      .map(([command]) => (command.input.TransactItems ?? []) as Array<{ Put?: { Item: { pk: string } } }>)
      .filter((items) => items.some((i) => i.Put?.Item.pk.endsWith(suffix)));

  beforeAll(async () => {
    local = await testPlatform({ STEWARD_STORE: 'dynamodb-local' });
    table = local.platform.tenantTable(`t${randomUUID().replace(/-/g, '').slice(0, 15)}`) as ScopedTable;
  });
  beforeEach(() => {
    sends = jest.spyOn(table.client, 'send');
  });
  afterEach(() => sends.mockRestore());
  afterAll(() => local.close());

  const put = (partition: string, sort: string, item: Record<string, unknown> = {}, expect: 'new' | 'any' | { revision: number } = 'new'): ScopedWrite => ({
    kind: 'put',
    key: { partition: [partition], sort },
    item: { entity: 'test', ...item },
    expect,
  });
  const read = (partition: string, sort: string) => table.get<Record<string, unknown>>({ partition: [partition], sort });

  it('applies every concurrent transaction, in fewer TransactWriteItems calls than transactions', async () => {
    const run = randomUUID();
    await Promise.all(Array.from({ length: 24 }, (_, i) => table.transact([put(`A-${run}`, `${i}`, { i }), put(`B-${run}`, `${i}`, { i })])));
    for (let i = 0; i < 24; i++) {
      expect(await read(`A-${run}`, `${i}`)).toMatchObject({ i });
      expect(await read(`B-${run}`, `${i}`)).toMatchObject({ i });
    }
    expect(calls('TransactWriteCommand')).toBeLessThan(24);
    expect(calls('TransactWriteCommand')).toBeGreaterThan(0);
  });

  it('refuses only the transactions whose own conditions fail; the others of their group are applied', async () => {
    const run = randomUUID();
    await table.transact([put(`EXISTING-${run}`, 'x', { revision: 3 }, 'any')]);
    sends.mockClear();
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => table.transact([put(`OK-${run}`, `${i}`), put(`OK2-${run}`, `${i}`)])),
      // Would create what exists: refused with Conflict, and its other write is not applied either.
      table.transact([put(`LOST-${run}`, 'a'), put(`EXISTING-${run}`, 'x')]),
      // A stale optimistic lock: StaleWrite.
      table.transact([put(`LOST-${run}`, 'b'), put(`EXISTING-${run}`, 'x', { revision: 4 }, { revision: 2 })]),
    ]);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.any(Conflict) });
    expect(outcomes[11]).toMatchObject({ status: 'rejected', reason: expect.any(StaleWrite) });
    for (let i = 0; i < 10; i++) expect(await read(`OK2-${run}`, `${i}`)).toBeDefined();
    expect(await read(`LOST-${run}`, 'a')).toBeUndefined();
    expect(await read(`LOST-${run}`, 'b')).toBeUndefined();
    expect(await read(`EXISTING-${run}`, 'x')).toMatchObject({ revision: 3 });
    // The refused ones were inside combined calls (alone, 12 transactions would take 12 calls), yet each verdict is its own.
    expect(calls('TransactWriteCommand')).toBeLessThan(12);
    expect(callsCarrying(`LOST-${run}`).some((items) => items.length > 2)).toBe(true);
  });

  it('gives a transaction DynamoDB refuses as a whole (an item over 400 KB) its own error, and applies the rest', async () => {
    const run = randomUUID();
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 6 }, (_, i) => table.transact([put(`FINE-${run}`, `${i}`)])),
      table.transact([put(`HUGE-${run}`, 'x', { blob: 'x'.repeat(420 * 1024) })]),
      ...Array.from({ length: 6 }, (_, i) => table.transact([put(`FINE-${run}`, `${i + 6}`)])),
    ]);
    expect(outcomes[6]).toMatchObject({ status: 'rejected', reason: expect.any(DependencyFailed) });
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(12);
    for (let i = 0; i < 12; i++) expect(await read(`FINE-${run}`, `${i}`)).toBeDefined();
    expect(await read(`HUGE-${run}`, 'x')).toBeUndefined();
    // It was first sent combined with others (a solo transaction would not test the split).
    expect(callsCarrying(`HUGE-${run}`).some((items) => items.length > 1)).toBe(true);
  });

  it('never puts two writes to one item in one call: they apply one after the other, in order', async () => {
    const run = randomUUID();
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => table.transact([put(`SAME-${run}`, 'k', { n }, 'any'), put(`OTHER-${run}`, `${n}`)])));
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(await read(`SAME-${run}`, 'k')).toMatchObject({ n: 4 });
    expect(calls('TransactWriteCommand')).toBe(4);
  });

  it('admits concurrent counter adds up to the ceiling exactly, each with its own value, in fewer UpdateItem calls', async () => {
    const counter = { partition: [`COUNTER-${randomUUID()}`], sort: 'META' };
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => table.adjust(counter, 'used', 1, 7)));
    const admitted = outcomes.filter((o): o is PromiseFulfilledResult<number> => o.status === 'fulfilled').map((o) => o.value);
    expect(admitted.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => o.reason instanceof QuotaCeiling)).toBe(true);
    expect(await table.get(counter)).toMatchObject({ used: 7 });

    sends.mockClear();
    const released = await Promise.all(Array.from({ length: 7 }, () => table.adjust(counter, 'used', -1)));
    expect(released.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(calls('UpdateCommand')).toBeLessThan(7);
    expect(await table.get(counter)).toMatchObject({ used: 0 });
  });
});
