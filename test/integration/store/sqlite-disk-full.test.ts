import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';
import { auditWrite } from '../../../core/audit/audit-event';
import { verifyChain } from '../../../core/audit/audit-chain';
import { DependencyFailed } from '../../../core/errors';
import type { ScopedWrite } from '../../../core/ports/metadata-store';

/**
 * A full disk, for real: SQLite's `max_page_count` makes the database file
 * unable to grow, and SQLite then fails exactly as on a full disk
 * (SQLITE_FULL). The store must say so in one line that says what to do,
 * the failing transaction must leave nothing behind, and everything written
 * before must still be there, audit chain included.
 */
describe('the embedded store on a full disk', () => {
  let store: SqliteStore;
  beforeEach(() => {
    const dir = join(process.env.STEWARD_TEST_SCRATCH_DIR ?? tmpdir(), 'disk-full');
    mkdirSync(dir, { recursive: true });
    store = new SqliteStore({ path: join(dir, `${randomUUID()}.sqlite`), ttlSweepMs: 0 });
  });
  afterEach(() => store.close());

  /** The adapter's own connection: the ceiling applies per connection. */
  const capFileAtCurrentSize = () => {
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
  };

  const thing = (n: number, size: number): ScopedWrite => ({
    kind: 'put',
    key: { partition: ['THING'], sort: String(n).padStart(6, '0') },
    item: { entity: 'thing', n, padding: 'x'.repeat(size) },
    expect: 'new',
  });
  const audited = (n: number, size: number): ScopedWrite[] => [
    thing(n, size),
    auditWrite(
      { actor: 'user:disk-full', requestId: `r${n}` },
      'thing.created',
      { type: 'thing', id: String(n) },
      { after: { n } },
      new Date(Date.UTC(2026, 11, 6, 0, 0, n)),
    ).write,
  ];

  it('refuses the write with a line that says the disk is full and what to do, and keeps everything written before', async () => {
    const table = store.tenant(`t${randomUUID().replace(/-/g, '').slice(0, 15)}`);
    for (let n = 1; n <= 5; n++) await table.transact(audited(n, 100));
    capFileAtCurrentSize();

    let refusal: unknown;
    for (let n = 6; n <= 400 && !refusal; n++) {
      await table.transact(audited(n, 4_000)).catch((error: unknown) => {
        refusal = error;
      });
    }
    expect(refusal).toBeInstanceOf(DependencyFailed);
    expect((refusal as Error).message).toBe('the metadata store could not write: the disk is full; free space and retry (nothing was written)');

    const page = await table.query({ partition: ['THING'], limit: 1_000 });
    const written = page.items.map((item) => item.n as number);
    // All or nothing: the refused transaction wrote neither its item nor its audit event, and the chain still verifies.
    expect(written.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => i + 1));
    const chain = await verifyChain(table);
    expect(chain).toMatchObject({ ok: true, complete: true, checked: written.length });

    // Reads keep working on a full disk.
    expect(await table.get({ partition: ['THING'], sort: '000001' })).toMatchObject({ n: 1 });
  });
});
