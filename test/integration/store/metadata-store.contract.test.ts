import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { bootstrapTable } from '../../../core/adapters/dynamodb/bootstrap-table';
import { dynamoDbStore } from '../../../core/adapters/dynamodb/dynamodb-store';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { auditWrite } from '../../../core/audit/audit-event';
import { verifyChain } from '../../../core/audit/audit-chain';
import { Conflict, DependencyFailed, StaleWrite, ValidationFailed } from '../../../core/errors';
import { QuotaCeiling, type MetadataStore, type MetadataTable, type ScopedWrite } from '../../../core/ports/metadata-store';

/**
 * One contract, two adapters: every behaviour the domain relies on, run
 * against the embedded SQLite store and against DynamoDB Local through the
 * DynamoDB adapter (the AWS data path). A difference between them fails here
 * before it can surface as a bug in one place only.
 */
const newTenantId = () => `t${randomUUID().replace(/-/g, '').slice(0, 15)}`;

async function dynamoDbLocalStore(): Promise<MetadataStore> {
  const endpoint = process.env.STEWARD_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DynamoDB Local is not running: integration tests need test/support/global-setup.ts');
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const tableName = `contract-${randomUUID().slice(0, 8)}`;
  await bootstrapTable(client, tableName);
  return dynamoDbStore({
    tableName,
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    auditChain: 'at-commit',
  });
}

function sqliteStore(): MetadataStore {
  const dir = process.env.STEWARD_TEST_SCRATCH_DIR ?? tmpdir();
  return new SqliteStore({ path: join(dir, 'contract', `${randomUUID()}.sqlite`), ttlSweepMs: 0 });
}

const ADAPTERS: ReadonlyArray<readonly [string, () => Promise<MetadataStore> | MetadataStore]> = [
  ['sqlite', sqliteStore],
  ['dynamodb-local', dynamoDbLocalStore],
];

describe.each(ADAPTERS)('the metadata store contract (%s)', (_name, open) => {
  let store: MetadataStore;
  let table: MetadataTable;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());
  beforeEach(() => {
    table = store.tenant(newTenantId());
  });

  const put = (sort: string, item: Record<string, unknown>, extra: Partial<Extract<ScopedWrite, { kind: 'put' }>> = {}): ScopedWrite => ({
    kind: 'put',
    key: { partition: ['THING'], sort },
    item,
    ...extra,
  });

  describe('conditional writes', () => {
    it('creates with `new` once, and refuses a second `new` with Conflict, leaving the first', async () => {
      await table.transact([put('a', { entity: 'thing', n: 1 }, { expect: 'new' })]);
      await expect(table.transact([put('a', { entity: 'thing', n: 2 }, { expect: 'new' })])).rejects.toBeInstanceOf(Conflict);
      expect(await table.get({ partition: ['THING'], sort: 'a' })).toEqual({ entity: 'thing', n: 1 });
    });

    it('returns items without key attributes, and nested values as written', async () => {
      const item = { entity: 'thing', nested: { list: [1, 'two', { three: true }], empty: [] }, flag: false, text: 'é 漢字 🙂' };
      await table.transact([put('b', item, { indexes: { gsi1: { partition: ['IDX'], sort: 'b' } } })]);
      expect(await table.get({ partition: ['THING'], sort: 'b' })).toEqual(item);
    });

    it('applies an optimistic lock on `revision`: the stale writer gets StaleWrite', async () => {
      await table.transact([put('c', { revision: 1 }, { expect: 'new' })]);
      await table.transact([put('c', { revision: 2 }, { expect: { revision: 1 } })]);
      await expect(table.transact([put('c', { revision: 2 }, { expect: { revision: 1 } })])).rejects.toBeInstanceOf(StaleWrite);
      expect(await table.get({ partition: ['THING'], sort: 'c' })).toEqual({ revision: 2 });
    });

    it('checks and deletes with expectations', async () => {
      const key = { partition: ['THING'], sort: 'd' };
      await expect(table.transact([{ kind: 'delete', key, expect: 'exists' }])).rejects.toBeInstanceOf(Conflict);
      await expect(table.transact([{ kind: 'check', key, expect: 'exists' }])).rejects.toBeInstanceOf(Conflict);
      await table.transact([{ kind: 'check', key, expect: 'absent' }, put('d2', { x: 2 })]);
      await table.transact([put('d', { x: 1 })]);
      await table.transact([{ kind: 'delete', key, expect: 'exists' }]);
      expect(await table.get(key)).toBeUndefined();
    });

    it('patches an existing item, and refuses to patch a missing one', async () => {
      await table.transact([put('e', { a: 1, b: 'x' })]);
      await table.patch({ partition: ['THING'], sort: 'e' }, { b: 'y', c: true });
      expect(await table.get({ partition: ['THING'], sort: 'e' })).toEqual({ a: 1, b: 'y', c: true });
      await expect(table.patch({ partition: ['THING'], sort: 'missing' }, { b: 'y' })).rejects.toBeInstanceOf(Conflict);
    });
  });

  describe('transactions', () => {
    it('are all or nothing: a failed expectation in the last write undoes the first ones', async () => {
      await table.transact([put('taken', { v: 0 })]);
      await expect(table.transact([put('f1', { v: 1 }), put('f2', { v: 2 }), put('taken', { v: 3 }, { expect: 'new' })])).rejects.toBeInstanceOf(Conflict);
      expect(await table.get({ partition: ['THING'], sort: 'f1' })).toBeUndefined();
      expect(await table.get({ partition: ['THING'], sort: 'f2' })).toBeUndefined();
      expect(await table.get({ partition: ['THING'], sort: 'taken' })).toEqual({ v: 0 });
    });

    it('span the control plane and a tenant atomically', async () => {
      const platform = store.platform();
      const key = `k-${randomUUID()}`;
      await platform.transact([{ kind: 'put', key: { partition: ['GUARD'], sort: key }, item: { v: 1 } }]);
      await expect(
        store.transactAcross([
          [table, [put('g', { v: 1 })]],
          [platform, [{ kind: 'put', key: { partition: ['GUARD'], sort: key }, item: { v: 2 }, expect: 'new' }]],
        ]),
      ).rejects.toBeInstanceOf(Conflict);
      expect(await table.get({ partition: ['THING'], sort: 'g' })).toBeUndefined();
      await store.transactAcross([
        [table, [put('g', { v: 1 })]],
        [platform, [{ kind: 'put', key: { partition: ['GUARD'], sort: `${key}-2` }, item: { v: 2 }, expect: 'new' }]],
      ]);
      expect(await table.get({ partition: ['THING'], sort: 'g' })).toEqual({ v: 1 });
    });

    it('refuse two writes to one item (as DynamoDB does) and apply neither', async () => {
      await expect(table.transact([put('twice', { v: 1 }), put('twice', { v: 2 })])).rejects.toBeInstanceOf(DependencyFailed);
      expect(await table.get({ partition: ['THING'], sort: 'twice' })).toBeUndefined();
    });

    it('hold 100 writes', async () => {
      await table.transact(Array.from({ length: 100 }, (_, i) => put(`h${String(i).padStart(3, '0')}`, { i })));
      expect((await table.query({ partition: ['THING'], sortBeginsWith: 'h' })).items).toHaveLength(100);
    });

    it('let exactly one of many concurrent `new` writes of one key win', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => table.transact([put('race', { writer: i }, { expect: 'new' })])));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(Conflict);
    });

    it('stay independent when issued together: a refused one undoes only its own writes', async () => {
      const usage = { partition: ['USAGE'], sort: 'META' };
      await table.transact([put('held', { v: 0 })]);
      await table.adjust(usage, 'models', 0);
      const outcomes = await Promise.allSettled([
        table.transact([put('i1', { v: 1 }), put('i1b', { v: 1 })]),
        table.transact([put('i2', { v: 2 }), put('held', { v: 2 }, { expect: 'new' })]),
        table.transact([put('i3', { v: 3 }, { expect: 'new' })]),
        table.transact([put('i4', { v: 4 }), { kind: 'check', key: { partition: ['THING'], sort: 'missing' }, expect: 'exists' }]),
        table.adjust(usage, 'models', 1, 0),
        table.adjust(usage, 'versions', 1, 5),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
      expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);
      expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(QuotaCeiling);
      expect(await table.get({ partition: ['THING'], sort: 'i1b' })).toEqual({ v: 1 });
      expect(await table.get({ partition: ['THING'], sort: 'i2' })).toBeUndefined();
      expect(await table.get({ partition: ['THING'], sort: 'held' })).toEqual({ v: 0 });
      expect(await table.get({ partition: ['THING'], sort: 'i3' })).toEqual({ v: 3 });
      expect(await table.get({ partition: ['THING'], sort: 'i4' })).toBeUndefined();
      expect(await table.get(usage)).toEqual({ models: 0, versions: 1 });
    });
  });

  describe('counters', () => {
    it('start at zero, add, and refuse at the ceiling without moving', async () => {
      const key = { partition: ['USAGE'], sort: 'META' };
      expect(await table.adjust(key, 'models', 2, 5)).toBe(2);
      expect(await table.adjust(key, 'models', 3, 5)).toBe(5);
      await expect(table.adjust(key, 'models', 1, 5)).rejects.toBeInstanceOf(QuotaCeiling);
      expect(await table.adjust(key, 'models', -1)).toBe(4);
      expect(await table.get(key)).toEqual({ models: 4 });
    });

    it('admit exactly the ceiling under concurrent adds, each with its own value', async () => {
      const key = { partition: ['USAGE'], sort: 'META' };
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => table.adjust(key, 'versions', 1, 7)));
      const values = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      expect(values.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(QuotaCeiling);
    });

    it('move inside a transaction (`add`): with its writes, and at the ceiling refuse the whole transaction', async () => {
      const key = { partition: ['USAGE'], sort: 'META' };
      const add = (by: number, atMost?: number): ScopedWrite => ({ kind: 'add', key, attribute: 'models', by, atMost });
      // An absent counter starts at zero, as `adjust` does.
      await table.transact([add(2, 3), put('q1', { n: 1 }, { expect: 'new' })]);
      expect(await table.get(key)).toEqual({ models: 2 });
      await table.transact([put('q2', { n: 2 }, { expect: 'new' }), add(1, 3)]);
      expect(await table.get(key)).toEqual({ models: 3 });
      // At the ceiling: QuotaCeiling, and the put beside it is not written.
      await expect(table.transact([put('q3', { n: 3 }, { expect: 'new' }), add(1, 3)])).rejects.toBeInstanceOf(QuotaCeiling);
      expect(await table.get({ partition: ['THING'], sort: 'q3' })).toBeUndefined();
      // Another write refused: the add does not move either.
      await expect(table.transact([add(-1), put('q1', { n: 9 }, { expect: 'new' })])).rejects.toBeInstanceOf(Conflict);
      expect(await table.get(key)).toEqual({ models: 3 });
      // Refusals leave the counter where it was; giving back works as with `adjust`.
      await table.transact([add(-1)]);
      expect(await table.adjust(key, 'models', 0)).toBe(2);
    });

    it('admit exactly the ceiling when concurrent transactions each add one', async () => {
      const key = { partition: ['USAGE'], sort: 'META' };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          table.transact([{ kind: 'add', key, attribute: 'versions', by: 1, atMost: 7 }, put(`c${i}`, { i }, { expect: 'new' })]),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(QuotaCeiling);
      expect(await table.get(key)).toEqual({ versions: 7 });
      const written = await table.query({ partition: ['THING'], sortBeginsWith: 'c' });
      expect(written.items).toHaveLength(7);
    });
  });

  describe('queries', () => {
    beforeEach(async () => {
      await table.transact(
        Array.from({ length: 30 }, (_, i) =>
          put(
            `item#${String(i).padStart(2, '0')}`,
            { i },
            { indexes: { gsi2: { partition: ['BY-PARITY', i % 2 ? 'odd' : 'even'], sort: `p${String(29 - i).padStart(2, '0')}` } } },
          ),
        ),
      );
      await table.transact([put('other#1', { i: -1 })]);
    });

    it('select by sort prefix and range, in both orders', async () => {
      expect((await table.query<{ i: number }>({ partition: ['THING'], sortBeginsWith: 'item#' })).items.map((x) => x.i)).toEqual([...Array(30).keys()]);
      expect((await table.query<{ i: number }>({ partition: ['THING'], sortBeginsWith: 'item#1' })).items.map((x) => x.i)).toEqual([
        10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
      ]);
      expect((await table.query<{ i: number }>({ partition: ['THING'], sortBetween: ['item#05', 'item#07'] })).items.map((x) => x.i)).toEqual([5, 6, 7]);
      expect((await table.query<{ i: number }>({ partition: ['THING'], sortBeginsWith: 'item#', descending: true, limit: 3 })).items.map((x) => x.i)).toEqual([
        29, 28, 27,
      ]);
    });

    it('page by cursor through every item exactly once, in order, both ways', async () => {
      for (const descending of [false, true]) {
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await table.query<{ i: number }>({ partition: ['THING'], sortBeginsWith: 'item#', limit: 7, cursor, descending });
          seen.push(...page.items.map((x) => x.i));
          cursor = page.cursor;
        } while (cursor);
        const expected = [...Array(30).keys()];
        expect(seen).toEqual(descending ? expected.reverse() : expected);
      }
    });

    it('query a secondary index by its own sort order, with cursors', async () => {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await table.query<{ i: number }>({ index: 'gsi2', partition: ['BY-PARITY', 'odd'], limit: 4, cursor });
        seen.push(...page.items.map((x) => x.i));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual([29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1]);
    });

    it('refuse a cursor issued for another tenant', async () => {
      const page = await table.query({ partition: ['THING'], sortBeginsWith: 'item#', limit: 2 });
      expect(page.cursor).toBeDefined();
      const other = store.tenant(newTenantId());
      await expect(other.query({ partition: ['THING'], sortBeginsWith: 'item#', limit: 2, cursor: page.cursor })).rejects.toBeInstanceOf(ValidationFailed);
      await expect(other.query({ partition: ['THING'], cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationFailed);
    });

    it('never show one tenant another tenant’s items under the same keys', async () => {
      const other = store.tenant(newTenantId());
      expect(await other.get({ partition: ['THING'], sort: 'item#01' })).toBeUndefined();
      expect((await other.query({ partition: ['THING'] })).items).toEqual([]);
      expect((await other.query({ index: 'gsi2', partition: ['BY-PARITY', 'odd'] })).items).toEqual([]);
    });
  });

  describe('guarded updates', () => {
    it('apply only while every condition holds, and move items between index partitions', async () => {
      await table.transact([put('u', { state: 'a' }, { indexes: { gsi1: { partition: ['Q', 'WAITING'], sort: 'u' } } })]);
      const move = {
        key: { partition: ['THING'], sort: 'u' },
        set: { state: 'b' },
        indexes: { gsi1: { partition: ['Q', 'DONE'], sort: 'u' } },
        expect: { item: 'exists' as const, equals: { state: 'a' }, inIndex: { index: 'gsi1' as const, partition: ['Q', 'WAITING'] } },
      };
      expect(await table.update([move])).toBe('applied');
      expect(await table.update([move])).toBe('refused');
      expect((await table.query({ index: 'gsi1', partition: ['Q', 'DONE'] })).items).toEqual([{ state: 'b' }]);
      expect((await table.query({ index: 'gsi1', partition: ['Q', 'WAITING'] })).items).toEqual([]);
      expect(
        await table.update([
          { key: { partition: ['THING'], sort: 'fresh' }, set: { n: 1 }, expect: { item: 'new' } },
          { key: { partition: ['THING'], sort: 'u' }, set: { state: 'c' }, expect: { missing: ['state'] } },
        ]),
      ).toBe('refused');
      expect(await table.get({ partition: ['THING'], sort: 'fresh' })).toBeUndefined();
    });
  });

  describe('the audit chain', () => {
    it('links concurrent writers’ events into one gapless chain that verifies', async () => {
      const at = new Date('2026-12-01T10:00:00Z');
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const audit = auditWrite(
            { actor: 'user:contract', requestId: `r${i}` },
            'thing.created',
            { type: 'thing', id: `t${i}` },
            { after: { i } },
            new Date(at.getTime() + i),
          );
          return table.transact([put(`chain-${i}`, { i }), audit.write]);
        }),
      );
      const report = await verifyChain(table);
      expect(report).toMatchObject({ ok: true, complete: true, unsealed: 0, checked: 40, head: { seq: 40 } });
    });
  });

  describe('tenant purge', () => {
    it('removes every item of the tenant but its audit trail, and nothing of other tenants', async () => {
      const tenantId = newTenantId();
      const doomed = store.tenant(tenantId);
      const kept = store.tenant(newTenantId());
      const audit = auditWrite({ actor: 'user:contract', requestId: 'p' }, 'thing.created', { type: 'thing', id: 'p' }, { after: {} }, new Date());
      await doomed.transact([put('x', { v: 1 }), { kind: 'put', key: { partition: ['OTHER', 'PART'], sort: 'y' }, item: { v: 2 } }, audit.write]);
      await kept.transact([put('x', { v: 1 })]);
      expect(await store.purgeTenant(tenantId)).toBe(2);
      expect(await doomed.get({ partition: ['THING'], sort: 'x' })).toBeUndefined();
      expect((await verifyChain(doomed)).checked).toBe(1);
      expect(await kept.get({ partition: ['THING'], sort: 'x' })).toEqual({ v: 1 });
    });
  });
});
