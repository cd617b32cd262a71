import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { auditWrite } from '../../../core/audit/audit-event';
import { verifyChain } from '../../../core/audit/audit-chain';
import { Conflict } from '../../../core/errors';
import type { ScopedWrite } from '../../../core/ports/metadata-store';
import { TABLE_INDEXES } from '../../../core/storage/table-design';

/**
 * The items table of a new metadata file is a rowid table (items appended in
 * rowid order, a key index of keys only), not WITHOUT ROWID (whole items in
 * the key's B-tree, interior pages included), which cost a registration ~25 %
 * more pages written. Files made before keep their layout and must go on
 * working unchanged: same reads, conditions, indexes and audit chain.
 */
const TENANT = 't0123456789abcde';
const META = { actor: 'user:u1', requestId: 'r1' };

function scratchFile(): string {
  const dir = join(process.env.STEWARD_TEST_SCRATCH_DIR ?? tmpdir(), 'table-layout');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${randomUUID()}.sqlite`);
}

/** The items table as files made before 2026-12-06 hold it. */
function fileWithOldLayout(): string {
  const path = scratchFile();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const indexColumns = TABLE_INDEXES.map((i) => `${i.partition} TEXT, ${i.sort} TEXT`).join(', ');
  db.exec(
    `CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, ${indexColumns}, expires_at INTEGER, body TEXT NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID`,
  );
  for (const index of TABLE_INDEXES)
    db.exec(`CREATE INDEX ${index.name} ON items (${index.partition}, ${index.sort}, pk, sk) WHERE ${index.partition} IS NOT NULL`);
  db.exec('CREATE INDEX ttl ON items (expires_at) WHERE expires_at IS NOT NULL');
  db.pragma('user_version = 1');
  db.close();
  return path;
}

function tableSql(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'items'").get() as { sql: string }).sql;
  } finally {
    db.close();
  }
}

const thing = (n: number, owner: string): ScopedWrite => ({
  kind: 'put',
  key: { partition: ['THING'], sort: String(n).padStart(4, '0') },
  indexes: { gsi4: { partition: ['BY-OWNER', owner], sort: String(n).padStart(4, '0') } },
  item: { entity: 'thing', n, owner },
  expect: 'new',
});

describe('the SQLite items table layout', () => {
  it('is a rowid table in a new file', async () => {
    const path = scratchFile();
    const store = new SqliteStore({ path, ttlSweepMs: 0 });
    await store.tenant(TENANT).transact([thing(1, 'a')]);
    await store.close();
    expect(tableSql(path)).not.toMatch(/WITHOUT ROWID/i);
  });

  it.each([
    ['a new file', scratchFile],
    ['a file made WITHOUT ROWID before', fileWithOldLayout],
  ])('serves the same reads, conditions, index queries and audit chain in %s', async (_name, makeFile) => {
    const path = makeFile();
    const oldLayout = makeFile === fileWithOldLayout;
    const store = new SqliteStore({ path, ttlSweepMs: 0 });
    try {
      const table = store.tenant(TENANT);
      // Concurrent writes share one group commit (a savepoint each); the duplicate fails alone.
      const outcomes = await Promise.allSettled([
        ...[1, 2, 3, 4].map((n) =>
          table.transact([
            thing(n, n % 2 ? 'odd' : 'even'),
            auditWrite(META, 'thing.created', { type: 'thing', id: String(n) }, { after: { n } }, new Date()).write,
          ]),
        ),
        table.transact([thing(2, 'even')]),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      expect((outcomes[4] as PromiseRejectedResult).reason).toBeInstanceOf(Conflict);

      expect(await table.get({ partition: ['THING'], sort: '0003' })).toEqual({ entity: 'thing', n: 3, owner: 'odd' });
      const page = await table.query<{ n: number }>({ partition: ['THING'], limit: 3, descending: true });
      expect(page.items.map((i) => i.n)).toEqual([4, 3, 2]);
      const rest = await table.query<{ n: number }>({ partition: ['THING'], limit: 3, descending: true, cursor: page.cursor });
      expect(rest.items.map((i) => i.n)).toEqual([1]);
      const odd = await table.query<{ n: number }>({ index: 'gsi4', partition: ['BY-OWNER', 'odd'] });
      expect(odd.items.map((i) => i.n)).toEqual([1, 3]);

      await table.transact([
        {
          kind: 'put',
          key: { partition: ['THING'], sort: '0001' },
          indexes: { gsi4: { partition: ['BY-OWNER', 'even'], sort: '0001' } },
          item: { entity: 'thing', n: 1, owner: 'even' },
        },
      ]);
      expect((await table.query<{ n: number }>({ index: 'gsi4', partition: ['BY-OWNER', 'even'] })).items.map((i) => i.n)).toEqual([1, 2, 4]);
      await table.transact([{ kind: 'delete', key: { partition: ['THING'], sort: '0002' }, expect: 'exists' }]);
      expect(await table.get({ partition: ['THING'], sort: '0002' })).toBeUndefined();

      expect(await verifyChain(table)).toMatchObject({ ok: true, checked: 4, complete: true, unsealed: 0 });
      expect(await store.purgeTenant(TENANT)).toBeGreaterThan(0);
      expect(await table.get({ partition: ['THING'], sort: '0001' })).toBeUndefined();
    } finally {
      await store.close();
    }
    expect(/WITHOUT ROWID/i.test(tableSql(path))).toBe(oldLayout);
  });
});
