import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { TABLE_INDEXES } from '../../storage/table-design';

/** Bumped when the layout changes; a file written by a newer Steward is refused, not guessed at. */
export const SQLITE_SCHEMA_VERSION = 1;

/** How much of the file reads map (address space, not memory); pages beyond it are read as before. */
const MMAP_BYTES = 1024 * 1024 * 1024;

/** The store file cannot be used; the message is one line saying what happened and what to do. */
export class MetadataFileUnusable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetadataFileUnusable';
  }
}

/**
 * Opens (creating when new) the metadata file: WAL, synchronous=NORMAL (a
 * crash loses at most the last transactions, never consistency), a busy
 * timeout for other processes' write locks, and the single-table schema.
 */
export function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: 5000 });
  } catch (error) {
    throw unusable(path, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Reads map the file instead of copying pages with pread(2): in the API's process each read
    // transaction re-read its pages through system calls, half of a point read's cost (writes are unchanged).
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    // Each write of a group commit runs in a SAVEPOINT (sqlite-store.ts), which copies every page it
    // changes into a sub-journal first. On the default temp store that journal spilled past 64 KiB into a
    // temporary file: ~24 page writes (two pwrite(2) each) per model registration, a third of its CPU
    // in system time. In memory it is a copy; it holds the pages one transaction changes, then is freed.
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = OFF');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new MetadataFileUnusable(
        `metadata file ${path} was written by a newer Steward (schema ${version}, this one reads up to ${SQLITE_SCHEMA_VERSION}): upgrade Steward, or restore a backup made by this version`,
      );
    }
    const indexColumns = TABLE_INDEXES.map((i) => `${i.partition} TEXT, ${i.sort} TEXT`).join(', ');
    // A rowid table with (pk, sk) as its unique key. Files made before 2026-12-06 hold it WITHOUT ROWID, and
    // keep it: every statement reads and writes both layouts alike, so they need no migration. WITHOUT ROWID
    // kept each whole item in the key's B-tree, interior pages included: with items of 0.3–1.4 KB (a model,
    // its audit event) a 4 KiB page held few, audit events spilled to overflow pages, and a model registration
    // wrote ~10 pages to the WAL, ~2.5 of them interior pages. Here the items are appended in rowid order and
    // the key index holds keys only (~8 pages; in process the store's part of a registration −15 %). Reads by
    // key or range take one more B-tree step (key index → row): no difference measurable for a get.
    db.exec(
      `CREATE TABLE IF NOT EXISTS items (pk TEXT NOT NULL, sk TEXT NOT NULL, ${indexColumns}, expires_at INTEGER, body TEXT NOT NULL, PRIMARY KEY (pk, sk))`,
    );
    for (const index of TABLE_INDEXES) {
      db.exec(`CREATE INDEX IF NOT EXISTS ${index.name} ON items (${index.partition}, ${index.sort}, pk, sk) WHERE ${index.partition} IS NOT NULL`);
    }
    db.exec('CREATE INDEX IF NOT EXISTS ttl ON items (expires_at) WHERE expires_at IS NOT NULL');
    if (version < SQLITE_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof MetadataFileUnusable) throw error;
    throw unusable(path, error);
  }
}

function unusable(path: string, error: unknown): MetadataFileUnusable {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new MetadataFileUnusable(
      `metadata file ${path} is not a Steward database or is damaged: restore it with \`npm run steward -- restore <backup>\` into an empty data folder`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new MetadataFileUnusable(
      `metadata file ${path} is locked by another process: stop the other Steward using this data folder, or choose another with --data-dir`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new MetadataFileUnusable(`metadata file ${path} cannot be opened for writing: check the data folder's permissions`, { cause: error });
  }
  if (code === 'SQLITE_FULL')
    return new MetadataFileUnusable(`metadata file ${path} cannot be written: the disk is full; free space and start again`, { cause: error });
  return new MetadataFileUnusable(`metadata file ${path} cannot be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
