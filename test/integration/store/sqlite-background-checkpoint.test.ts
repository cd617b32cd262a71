import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../core/adapters/sqlite/sqlite-store';

/**
 * The embedded store checkpoints its WAL on a worker thread, so the thread
 * serving requests never copies pages into the database file nor waits on
 * its syncs. Evidence: committed items reach the database file itself (a
 * copy of it without the WAL holds them) while the writer's own automatic
 * checkpoint (every 1,000 pages) has not come due.
 */
describe('the SQLite store’s background checkpoints', () => {
  const dir = join(process.env.STEWARD_TEST_SCRATCH_DIR ?? tmpdir(), 'checkpoint', randomUUID());
  beforeAll(() => mkdirSync(dir, { recursive: true }));

  async function itemsInDatabaseFileAfterWrites(backgroundCheckpointAfter: number): Promise<number> {
    const path = join(dir, `${randomUUID()}.sqlite`);
    const store = new SqliteStore({ path, ttlSweepMs: 0, backgroundCheckpointAfter });
    try {
      const table = store.tenant(`t${randomUUID().replace(/-/g, '').slice(0, 15)}`);
      for (let i = 0; i < 20; i++) await table.transact([{ kind: 'put', key: { partition: ['THING'], sort: `k${i}` }, item: { i } }]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // The database file alone, as a reader that never saw the WAL would find it.
      const copy = join(dir, `${randomUUID()}.sqlite`);
      copyFileSync(path, copy);
      const db = new Database(copy, { readonly: true });
      try {
        // Before any checkpoint even the table exists only in the WAL.
        if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'items'").get()) return 0;
        return (db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
  }

  it('moves committed writes into the database file without the writer checkpointing', async () => {
    expect(await itemsInDatabaseFileAfterWrites(5)).toBe(20);
  });

  it('leaves them in the WAL when background checkpoints are off (the writer checkpoints every 1,000 pages)', async () => {
    expect(await itemsInDatabaseFileAfterWrites(0)).toBe(0);
  });

  it('lets a short script that closes the store go on after close (the worker is waited for, not abandoned)', () => {
    // A script whose only pending work is the worker's exit: with the worker unreferenced the process
    // ended inside close(), silently and with code 0, and nothing after it ran (a backup command, say).
    const path = join(dir, `${randomUUID()}.sqlite`);
    const script = `
      const { SqliteStore } = require(${JSON.stringify(require.resolve('../../../core/adapters/sqlite/sqlite-store'))});
      (async () => {
        const store = new SqliteStore({ path: ${JSON.stringify(path)}, ttlSweepMs: 0, backgroundCheckpointAfter: 1 });
        const table = store.tenant('t0123456789abcde');
        for (let i = 0; i < 5; i++) await table.transact([{ kind: 'put', key: { partition: ['THING'], sort: 'k' + i }, item: { i } }]);
        await store.close();
        process.stdout.write('after close');
      })();
    `;
    const out = execFileSync(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    });
    expect(out).toBe('after close');
  });
});
