import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { ScopedTable, ScopedWrite } from '../../../core/adapters/dynamodb/scoped-table';
import { tenantTable } from '../../../core/adapters/dynamodb/tables';
import { CHAIN_PARTITION, countUnsealed, HEAD_KEY, sealPending, verifyChain } from '../../../core/audit/audit-chain';
import { auditWrite } from '../../../core/audit/audit-event';
import type { StoredAuditEvent } from '../../../core/audit/chain-hash';
import { Conflict } from '../../../core/errors';
import { testPlatform } from '../../support/test-platform';

type TransactItems = Array<{ Put?: { Item: Record<string, unknown> }; Update?: { Key: { pk: string; sk: string } } }>;

/**
 * Sealing at commit (core/audit/chain-at-commit.ts through the
 * TransactionCombiner) on DynamoDB Local: events are linked by the
 * transaction that writes them, a group shares one head write, and whatever
 * gets in the way (another process, a refused transaction, a broken chain)
 * never costs a business write nor leaves a gap.
 */
describe('audit events linked at commit', () => {
  let local: Awaited<ReturnType<typeof testPlatform>>;
  let sends: jest.SpyInstance;
  let tenantId: string;
  let table: ScopedTable;

  beforeAll(async () => {
    local = await testPlatform({ STEWARD_AUDIT_CHAIN: 'at-commit', STEWARD_STORE: 'dynamodb-local' });
    await local.auditSealer.stop(); // nothing may seal behind the tests' back
  });
  beforeEach(() => {
    tenantId = `t${randomUUID().replace(/-/g, '').slice(0, 15)}`;
    table = local.platform.tenantTable(tenantId) as ScopedTable;
    sends = jest.spyOn(table.client, 'send');
  });
  afterEach(() => sends.mockRestore());
  afterAll(() => local.close());

  const transactCalls = () =>
    sends.mock.calls
      .filter(([command]) => command.constructor.name === 'TransactWriteCommand')
      .map(([command]) => command.input.TransactItems as TransactItems);
  const isHead = (item: TransactItems[number]) => item.Update?.Key.sk === HEAD_KEY.sort && item.Update.Key.pk.endsWith('#AUDIT-HEAD');
  const business = (sort: string, expect: 'new' | 'any' = 'new'): ScopedWrite => ({
    kind: 'put',
    key: { partition: ['THING'], sort },
    item: { entity: 'test', sort },
    expect,
  });
  const event = (i: number) =>
    auditWrite(
      { actor: 'system:at-commit-test', requestId: `r${i}` },
      'test.event',
      { type: 'test', id: `t${i}` },
      { before: null, after: { i, nested: { list: [1, 'two', null], flag: true } } },
      new Date(),
    ).write;
  const chained = async (t: ScopedTable) => (await t.query<StoredAuditEvent>({ index: 'gsi1', partition: CHAIN_PARTITION, limit: 1000 })).items;

  it('links each event in its own transaction, a combined call sharing one head write, into a chain that verifies', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => table.transact([business(`${i}`), event(i)])));

    const calls = transactCalls();
    expect(calls.length).toBeLessThan(40);
    for (const items of calls) expect(items.filter(isHead)).toHaveLength(1);
    expect(
      calls
        .flat()
        .filter((item) => item.Put?.Item.entity === 'audit-event')
        .every((item) => typeof item.Put!.Item.hash === 'string'),
    ).toBe(true);
    expect(await countUnsealed(table)).toBe(0);
    const events = await chained(table);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 40, complete: true, unsealed: 0, head: { seq: 40 } });
    // Nothing was left for a sealer, and a sealer finds nothing to do.
    expect(await sealPending(table)).toBe(0);
  });

  it('gives a transaction refused for its own reason no place in the chain: the others link without a gap', async () => {
    await table.transact([business('taken')]);
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => table.transact([business(`ok-${i}`), event(i)])),
      table.transact([business('taken'), event(99)]),
    ]);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.any(Conflict) });
    const events = await chained(table);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(events.some((e) => e.requestId === 'r99')).toBe(false);
    expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 10 });
  });

  it('follows a head moved by someone else (a sealer, another process) with one more call, not a failure', async () => {
    await table.transact([event(1)]); // this process now remembers the head at seq 1
    const deferred = tenantTable(local.clients.documents, local.settings.STEWARD_TABLE_NAME, tenantId);
    await deferred.transact([event(2)]);
    expect(await sealPending(deferred)).toBe(1); // the head moved to seq 2 behind this process's back
    sends.mockClear();

    await table.transact([event(3)]);

    expect(transactCalls()).toHaveLength(2); // refused on the remembered head, then linked on the fresh one
    expect((await chained(table)).map((e) => [e.seq, e.requestId])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
      [3, 'r3'],
    ]);
    expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 3, unsealed: 0 });
  });

  it('keeps one gapless chain while two processes link the same tenant’s events at once', async () => {
    const other = await testPlatform({
      STEWARD_AUDIT_CHAIN: 'at-commit',
      STEWARD_STORE: 'dynamodb-local',
      STEWARD_TABLE_NAME: local.settings.STEWARD_TABLE_NAME,
    });
    try {
      await other.auditSealer.stop();
      const theirs = other.platform.tenantTable(tenantId);
      const outcomes = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => (i % 2 ? table : theirs).transact([business(`both-${i}`), event(i)])));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      // Events whose head was refused three times in a row were written unlinked: the sealer links them.
      await sealPending(table, { untilEmpty: true });
      const events = await chained(table);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(new Set(events.map((e) => e.requestId)).size).toBe(60);
      expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 60, unsealed: 0 });
    } finally {
      await other.close();
    }
  });

  it('writes events unlinked where the chain cannot be extended, and verify still reports the break', async () => {
    await table.transact([event(1)]);
    const { documents } = local.clients;
    await documents.send(
      new DeleteCommand({ TableName: local.settings.STEWARD_TABLE_NAME, Key: { pk: table.partitionKey(HEAD_KEY.partition), sk: HEAD_KEY.sort } }),
    );

    await table.transact([business('after-break'), event(2)]); // refused head, then an unreadable chain: written unlinked

    expect(await table.get({ partition: ['THING'], sort: 'after-break' })).toBeDefined();
    expect(await countUnsealed(table)).toBe(1);
    expect(await verifyChain(table)).toMatchObject({ ok: false, reason: 'link-broken', unsealed: 1 });
  });

  it('writes the event of a transaction already at 100 items unlinked rather than refuse it', async () => {
    const writes = [...Array.from({ length: 99 }, (_, i) => business(`big-${i}`)), event(1)];
    await table.transact(writes);
    expect(await countUnsealed(table)).toBe(1);
    expect(await sealPending(table)).toBe(1);
    expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 1 });
  });
});
