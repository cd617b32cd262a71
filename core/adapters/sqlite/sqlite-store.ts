import Database from 'better-sqlite3';
import { CHAIN_PARTITION, HEAD_KEY } from '../../audit/audit-chain';
import { chainContent, chainSortKey, genesisHash, linkHash } from '../../audit/chain-hash';
import { Conflict, DependencyFailed, StaleWrite, StewardError, ValidationFailed } from '../../errors';
import {
  QuotaCeiling,
  type GuardedUpdate,
  type Item,
  type KeyRef,
  type MetadataStore,
  type MetadataTable,
  type Page,
  type QueryRequest,
  type ScopedWrite,
} from '../../ports/metadata-store';
import { platformKey, tenantKey, tenantKeys, tenantPrefix } from '../../storage/keys';
import { KEY_ATTRIBUTE_NAMES, TABLE_INDEXES, TTL_ATTRIBUTE, type IndexName } from '../../storage/table-design';
import { decodeCursor, encodeCursor } from '../store-cursor';
import { openDatabase } from './open-database';
import { prefixUpperBound } from './prefix-range';
import { WalCheckpointer } from './wal-checkpointer';

export interface SqliteStoreOptions {
  /** The database file (created on first use); `:memory:` for a throwaway store. */
  readonly path: string;
  /**
   * `at-commit` (default): audit events are linked into their owner's chain by
   * the transaction that writes them; `deferred`: written unlinked, for the
   * sealer (as on AWS).
   */
  readonly auditChain?: 'at-commit' | 'deferred';
  /** Expired items (TTL attribute in the past) are deleted this often; 0 turns the sweep off. @default 60000 */
  readonly ttlSweepMs?: number;
  readonly now?: () => Date;
  /**
   * Checkpoint the WAL on a worker thread (see WalCheckpointer) once the store
   * has committed this many write transactions; 0 never (the committing
   * connection checkpoints, SQLite's default). Short-lived stores (tests,
   * tools) never start the thread. @default 256
   */
  readonly backgroundCheckpointAfter?: number;
}

/** The writer's own automatic checkpoint once a worker checkpoints: a backstop, should the worker fall behind (pages, ~64 MB). */
const BACKSTOP_CHECKPOINT_PAGES = 16_384;

interface QueuedWrite {
  readonly work: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Row {
  pk: string;
  sk: string;
  body: string;
  [index: string]: string | null;
}

const INDEX_COLUMNS = TABLE_INDEXES.flatMap((i) => [i.partition, i.sort]);
const ROW_VALUES = `(pk, sk, ${INDEX_COLUMNS.join(', ')}, expires_at, body) VALUES (?, ?, ${INDEX_COLUMNS.map(() => '?').join(', ')}, ?, ?)`;
const INSERT_SQL = `INSERT INTO items ${ROW_VALUES}`;
const REPLACE_SQL = `INSERT OR REPLACE INTO items ${ROW_VALUES}`;

/**
 * The embedded metadata store: one SQLite file (WAL) holding the same
 * single-table design as DynamoDB: `pk`/`sk`, four sparse indexes, items as
 * JSON. better-sqlite3 is synchronous, so every operation, a transaction
 * included, runs to completion before the next starts in this process, and
 * `BEGIN IMMEDIATE` serialises it against other processes on the same file.
 * That is why conditions never race here and why audit events can always be
 * linked at commit: the head is read and moved inside the writing transaction.
 *
 * Text comparison is SQLite's BINARY collation, i.e. UTF-8 byte order, as
 * DynamoDB compares sort keys; prefixes are ranges (`sk >= p AND sk < p⁺`),
 * which use the index where LIKE would not.
 *
 * Writes commit in groups: the write transactions requested in one turn of
 * the event loop run, in the order they were requested, each in its own
 * savepoint of one SQLite transaction (a failed one rolls back alone and
 * fails alone), which commits before any of them resolves. Concurrent
 * requests touch the same hot pages (the audit chain head and its index,
 * usage counters, the search entries' leaves), and a commit writes each page
 * once to the WAL instead of once per request.
 */
export class SqliteStore implements MetadataStore {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly control: SqliteTable;
  private readonly tenants = new Map<string, SqliteTable>();
  private readonly sweep?: NodeJS.Timeout;
  private readonly statements = new Map<string, Database.Statement>();
  /** One transaction wrapper for every write (better-sqlite3 builds its BEGIN/COMMIT once). */
  private readonly transaction: Database.Transaction<(work: () => unknown) => unknown>;
  readonly linkAtCommit: boolean;
  private readonly now: () => Date;
  private queued: QueuedWrite[] = [];
  private flushScheduled = false;
  private commits = 0;
  private checkpointer?: WalCheckpointer;

  constructor(readonly options: SqliteStoreOptions) {
    this.db = openDatabase(options.path);
    this.transaction = this.db.transaction((work: () => unknown) => work());
    this.linkAtCommit = (options.auditChain ?? 'at-commit') === 'at-commit';
    this.now = options.now ?? (() => new Date());
    this.control = new SqliteTable(this, 'platform', 'P#', (parts) => platformKey(parts));
    const every = options.ttlSweepMs ?? 60_000;
    if (every > 0) {
      this.sweep = setInterval(() => this.sweepExpired(), every);
      this.sweep.unref();
    }
  }

  tenant(tenantId: string): SqliteTable {
    let table = this.tenants.get(tenantId);
    if (!table) {
      table = new SqliteTable(this, tenantId, tenantPrefix(tenantId), tenantKeys(tenantId));
      this.tenants.set(tenantId, table);
      if (this.tenants.size > 10_000) this.tenants.delete(this.tenants.keys().next().value!);
    }
    return table;
  }

  platform(): SqliteTable {
    return this.control;
  }

  async transactAcross(groups: ReadonlyArray<readonly [MetadataTable, readonly ScopedWrite[]]>): Promise<void> {
    const tables = groups.map(([table, writes]) => {
      if (!(table instanceof SqliteTable) || table.store !== this) throw new TypeError('a SQLite transaction takes tables of its own store only');
      return [table, writes] as const;
    });
    await this.enqueue(() => {
      const seen = new Set<string>();
      for (const [table, writes] of tables) table.applyWrites(writes, seen);
    });
  }

  async purgeTenant(tenantId: string): Promise<number> {
    const prefix = tenantPrefix(tenantId);
    const keep = tenantKey(tenantId, ['AUDIT']);
    // A transaction of its own, not a savepoint of a group commit: a savepoint keeps a copy of every page
    // it changes in memory (temp_store, open-database.ts), and a purge changes all of a tenant's pages.
    return this.write(
      () =>
        this.statement('DELETE FROM items WHERE pk >= ? AND pk < ? AND NOT (pk >= ? AND pk < ?)').run(
          prefix,
          prefixUpperBound(prefix),
          keep,
          prefixUpperBound(keep),
        ).changes,
    );
  }

  async ping(): Promise<string | undefined> {
    this.statement('SELECT 1').get();
    return `sqlite ${this.options.path === ':memory:' ? 'in memory' : 'file'}`;
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    if (this.db.open) this.flush();
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  /** Deletes items whose TTL attribute is in the past (DynamoDB TTL's job). */
  sweepExpired(): number {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    return this.write(() => this.statement('DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at < ?').run(nowSeconds).changes);
  }

  /**
   * Writes items exactly as another store holds them (`pk`, `sk`, index key
   * attributes and the rest), for moving a DynamoDB Local table here. Existing
   * keys are refused: an import never overwrites.
   */
  importRawItems(items: readonly Record<string, unknown>[]): void {
    this.write(() => {
      const insert = this.statement(
        `INSERT INTO items (pk, sk, ${INDEX_COLUMNS.join(', ')}, expires_at, body) VALUES (?, ?, ${INDEX_COLUMNS.map(() => '?').join(', ')}, ?, ?)`,
      );
      for (const item of items) {
        if (typeof item.pk !== 'string' || typeof item.sk !== 'string') throw new TypeError('an imported item needs string pk and sk');
        const body = withoutKeys(item);
        insert.run(item.pk, item.sk, ...INDEX_COLUMNS.map((c) => (typeof item[c] === 'string' ? item[c] : null)), ttlOf(body), JSON.stringify(body));
      }
    });
  }

  /** A consistent copy of the whole store into `path` (online: readers and writers go on meanwhile). */
  async backupTo(path: string): Promise<void> {
    await this.db.backup(path);
  }

  /** @internal a cached prepared statement */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** @internal runs `work` now, in one IMMEDIATE transaction of its own, mapping SQLite failures to domain errors */
  write<T>(work: () => T): T {
    try {
      return this.transaction.immediate(work) as T;
    } catch (error) {
      throw storeError(error);
    } finally {
      this.committed();
    }
  }

  /**
   * @internal runs `work` in the group commit of this turn of the event loop
   * (see the class comment): all or nothing for `work`, durable in the WAL
   * when the promise resolves.
   */
  enqueue<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.queued;
    this.queued = [];
    if (jobs.length === 0) return;
    if (jobs.length === 1) {
      const [job] = jobs;
      let value: unknown;
      try {
        value = this.write(job.work);
      } catch (error) {
        job.reject(storeError(error));
        return;
      }
      job.resolve(value);
      return;
    }
    const outcomes: Array<{ value?: unknown; error?: unknown }> = [];
    try {
      this.transaction.immediate(() => {
        for (const job of jobs) {
          try {
            // Called inside the open transaction, better-sqlite3 runs it in a SAVEPOINT and rolls back to it on a throw.
            outcomes.push({ value: this.transaction(job.work) });
          } catch (error) {
            // SQLite abandons the whole transaction on some failures (a full disk, I/O): then the group fails together.
            if (!this.db.inTransaction) throw error;
            outcomes.push({ error: storeError(error) });
          }
        }
      });
    } catch (error) {
      const failure = storeError(error);
      for (const job of jobs) job.reject(failure);
      return;
    } finally {
      this.committed();
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if ('error' in outcome) job.reject(outcome.error);
      else job.resolve(outcome.value);
    });
  }

  private committed(): void {
    const after = this.options.backgroundCheckpointAfter ?? 256;
    if (this.checkpointer || after <= 0 || this.options.path === ':memory:' || !this.db.open || ++this.commits < after) return;
    this.checkpointer = new WalCheckpointer(this.options.path);
    this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  }

  /** @internal a read outside any transaction */
  read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storeError(error);
    }
  }
}

/** One owner's view of the SQLite store; builds every key itself, as the DynamoDB table does. */
export class SqliteTable implements MetadataTable {
  readonly identity: string;
  /** One connection applies every write transaction in turn: a counter in each costs no conflict. */
  readonly serialisesTransactions = true;

  constructor(
    readonly store: SqliteStore,
    readonly owner: string,
    readonly prefix: string,
    private readonly makePartition: (parts: readonly (string | number)[]) => string,
  ) {
    this.identity = `sqlite\u0000${store.options.path}\u0000${prefix}`;
  }

  partitionKey(parts: readonly (string | number)[]): string {
    return this.makePartition(parts);
  }

  async get<T = Item>(ref: KeyRef): Promise<T | undefined> {
    const row = this.store.read(
      () => this.store.statement('SELECT body FROM items WHERE pk = ? AND sk = ?').get(this.makePartition(ref.partition), ref.sort) as Row | undefined,
    );
    return row ? (JSON.parse(row.body) as T) : undefined;
  }

  async query<T = Item>(request: QueryRequest): Promise<Page<T>> {
    const index = request.index ? indexOf(request.index) : undefined;
    const pkName = index?.partition ?? 'pk';
    const order = index ? [index.sort, 'pk', 'sk'] : ['sk'];
    const params: unknown[] = [this.makePartition(request.partition)];
    const range = request.sortBeginsWith !== undefined ? 'prefix' : request.sortBetween ? 'between' : 'none';
    if (request.sortBeginsWith !== undefined) params.push(request.sortBeginsWith, prefixUpperBound(request.sortBeginsWith));
    else if (request.sortBetween) params.push(request.sortBetween[0], request.sortBetween[1]);
    const start = decodeCursor(request.cursor, this.prefix);
    if (start) {
      const values = order.map((column) => start[column]);
      if (values.some((v) => typeof v !== 'string') || start[pkName] !== params[0]) throw invalidCursor();
      params.push(...values);
    }
    const limit = request.limit;
    if (limit !== undefined) params.push(limit + 1);
    const sql = querySql(index, range, start !== undefined, request.descending === true, limit !== undefined);
    const rows = this.store.read(() => this.store.statement(sql).all(...params) as Row[]);
    const more = limit !== undefined && rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = more ? page[page.length - 1] : undefined;
    const items = page.map((row) => JSON.parse(row.body) as T);
    if (!last) return { items };
    // Encoded when read: callers that only look at the first item (the latest version, say) never pay for it.
    let cursor: string | undefined;
    return {
      items,
      get cursor() {
        cursor ??= encodeCursor(Object.fromEntries([...new Set([pkName, ...order])].map((c) => [c, c === pkName ? params[0] : last[c]])));
        return cursor;
      },
    };
  }

  async transact(writes: readonly ScopedWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.store.enqueue(() => this.applyWrites(writes));
  }

  async patch(ref: KeyRef, fields: Record<string, string | number | boolean>): Promise<void> {
    await this.store.enqueue(() => {
      const stored = this.row(ref);
      if (!stored) throw new Conflict('a precondition of this change no longer holds');
      const body: Item = { ...(JSON.parse(stored.body) as Item), ...withoutKeys(fields) };
      this.store.statement('UPDATE items SET body = ?, expires_at = ? WHERE pk = ? AND sk = ?').run(JSON.stringify(body), ttlOf(body), stored.pk, stored.sk);
    });
  }

  async adjust(ref: KeyRef, attribute: string, by: number, atMost?: number): Promise<number> {
    return this.store.enqueue(() => this.add(this.makePartition(ref.partition), ref.sort, attribute, by, atMost));
  }

  /** A counter add with its ceiling, in the open transaction; returns the value after it. */
  private add(pk: string, sk: string, attribute: string, by: number, atMost: number | undefined): number {
    const stored = this.store.statement('SELECT body FROM items WHERE pk = ? AND sk = ?').get(pk, sk) as Pick<Row, 'body'> | undefined;
    const body: Item = stored ? (JSON.parse(stored.body) as Item) : {};
    const current = typeof body[attribute] === 'number' ? body[attribute] : 0;
    const next = current + by;
    if (atMost !== undefined && body[attribute] !== undefined && current > atMost - by) throw new QuotaCeiling(attribute, atMost);
    body[attribute] = next;
    if (stored) this.store.statement('UPDATE items SET body = ? WHERE pk = ? AND sk = ?').run(JSON.stringify(body), pk, sk);
    else this.insert(pk, sk, body, {});
    return next;
  }

  async update(updates: readonly GuardedUpdate[]): Promise<'applied' | 'refused'> {
    if (updates.length === 0) return 'applied';
    try {
      await this.store.enqueue(() => {
        for (const update of updates) this.applyUpdate(update);
      });
      return 'applied';
    } catch (error) {
      if (error instanceof Refused) return 'refused';
      throw error;
    }
  }

  /** @internal every write of one transaction, in order; throws (rolling the transaction back) at the first failed expectation */
  applyWrites(writes: readonly ScopedWrite[], seen = new Set<string>()): void {
    for (const write of writes) {
      const pk = this.makePartition(write.key.partition);
      const id = `${pk}\u0000${write.key.sort}`;
      // DynamoDB refuses a transaction that touches one item twice; so does this store, or code would pass here and fail there.
      if (seen.has(id)) throw new DependencyFailed('metadata store request failed: a transaction cannot include multiple operations on one item');
      seen.add(id);
      if (write.kind === 'add') {
        this.add(pk, write.key.sort, write.attribute, write.by, write.atMost);
        continue;
      }
      // Only a condition on the stored item needs it read first: `new` is the primary key's own
      // uniqueness (a refused INSERT), and an unconditional write replaces whatever is there.
      const conditional = write.expect !== undefined && write.expect !== 'any' && !(write.kind === 'put' && write.expect === 'new');
      if (conditional) {
        const stored = this.store.statement('SELECT body, pk, sk FROM items WHERE pk = ? AND sk = ?').get(pk, write.key.sort) as Row | undefined;
        checkExpectation(write, stored);
      }
      if (write.kind === 'check') continue;
      if (write.kind === 'delete') {
        this.store.statement('DELETE FROM items WHERE pk = ? AND sk = ?').run(pk, write.key.sort);
        continue;
      }
      const indexes: Record<string, string> = {};
      if (write.indexes) {
        for (const name in write.indexes) {
          const ref = write.indexes[name as IndexName]!;
          const index = indexOf(name as IndexName);
          indexes[index.partition] = this.makePartition(ref.partition);
          indexes[index.sort] = ref.sort;
        }
      }
      let body = storedBody(write.item);
      if (write.chain && this.store.linkAtCommit) body = this.linkIntoChain(body, indexes);
      if (write.expect === 'new') {
        try {
          this.insert(pk, write.key.sort, body, indexes);
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new Conflict('an item with this identity already exists');
          throw error;
        }
      } else {
        this.insert(pk, write.key.sort, body, indexes, 'REPLACE');
      }
    }
  }

  /**
   * Links an audit event behind the owner's chain head, inside the writing
   * transaction: the same fields, index position and head the sealer would
   * give it (core/audit/audit-chain.ts). A chain whose head is missing while
   * linked events exist cannot be extended: the event is written unlinked,
   * for the sealer (which refuses too, and verify reports the break).
   */
  private linkIntoChain(body: Item, indexes: Record<string, string>): Item {
    const headRow = this.row(HEAD_KEY);
    const chainPartition = this.makePartition(CHAIN_PARTITION);
    let head: { seq: number; hash: string };
    if (headRow) {
      const stored = JSON.parse(headRow.body) as { seq?: unknown; hash?: unknown };
      if (typeof stored.seq !== 'number' || typeof stored.hash !== 'string') return body;
      head = { seq: stored.seq, hash: stored.hash };
    } else {
      const orphan = this.store.statement('SELECT 1 FROM items INDEXED BY gsi1 WHERE gsi1pk = ? LIMIT 1').get(chainPartition);
      if (orphan) return body;
      head = { seq: 0, hash: genesisHash(this.owner) };
    }
    const seq = head.seq + 1;
    const hash = linkHash(head.hash, { ...chainContent(body), seq });
    const gsi1 = indexOf('gsi1');
    indexes[gsi1.partition] = chainPartition;
    indexes[gsi1.sort] = chainSortKey(seq);
    const headBody = { entity: 'audit-head', seq, hash, eventId: body.eventId };
    const headPk = this.makePartition(HEAD_KEY.partition);
    if (headRow) this.store.statement('UPDATE items SET body = ? WHERE pk = ? AND sk = ?').run(JSON.stringify(headBody), headPk, HEAD_KEY.sort);
    else this.insert(headPk, HEAD_KEY.sort, headBody, {});
    return { ...body, seq, prevHash: head.hash, hash };
  }

  private applyUpdate(update: GuardedUpdate): void {
    const stored = this.row(update.key);
    const { expect } = update;
    if (expect.item === 'new' && stored) throw new Refused();
    if (expect.item === 'exists' && !stored) throw new Refused();
    const body: Item = stored ? (JSON.parse(stored.body) as Item) : {};
    for (const [attribute, value] of Object.entries(expect.equals ?? {})) if (body[attribute] !== value) throw new Refused();
    for (const attribute of expect.missing ?? []) if (body[attribute] !== undefined) throw new Refused();
    if (expect.inIndex) {
      const index = indexOf(expect.inIndex.index);
      if (!stored || stored[index.partition] !== this.makePartition(expect.inIndex.partition)) throw new Refused();
    }
    for (const attribute of Object.keys(update.set)) {
      if (KEY_ATTRIBUTE_NAMES.has(attribute)) throw new RangeError(`'${attribute}' is a key attribute; give index keys through 'indexes'`);
    }
    const indexes: Record<string, string | null> = {};
    for (const column of INDEX_COLUMNS) indexes[column] = stored ? (stored[column] ?? null) : null;
    for (const [name, ref] of Object.entries(update.indexes ?? {})) {
      const index = indexOf(name as IndexName);
      indexes[index.partition] = this.makePartition(ref.partition);
      indexes[index.sort] = ref.sort;
    }
    const pk = this.makePartition(update.key.partition);
    if (stored) this.store.statement('DELETE FROM items WHERE pk = ? AND sk = ?').run(pk, update.key.sort);
    this.insert(pk, update.key.sort, { ...body, ...update.set }, indexes);
  }

  private row(ref: KeyRef): Row | undefined {
    return this.store
      .statement(`SELECT body, pk, sk, ${INDEX_COLUMNS.join(', ')} FROM items WHERE pk = ? AND sk = ?`)
      .get(this.makePartition(ref.partition), ref.sort) as Row | undefined;
  }

  /** `REPLACE`: the item takes the place of the stored one, index keys included (a put without condition). */
  private insert(pk: string, sk: string, body: Item, indexes: Record<string, string | null>, verb: 'INSERT' | 'REPLACE' = 'INSERT'): void {
    this.store
      .statement(verb === 'INSERT' ? INSERT_SQL : REPLACE_SQL)
      .run(pk, sk, ...INDEX_COLUMNS.map((c) => indexes[c] ?? null), ttlOf(body), JSON.stringify(body));
  }
}

/** A guarded update whose condition failed: rolls its transaction back, reported as `refused`. */
class Refused extends Error {}

function checkExpectation(write: Exclude<ScopedWrite, { kind: 'add' }>, stored: Row | undefined): void {
  const expect = write.expect;
  if (expect === undefined || expect === 'any') return;
  if (expect === 'new' || expect === 'absent') {
    if (stored) throw new Conflict(expect === 'new' ? 'an item with this identity already exists' : 'a precondition of this change no longer holds');
    return;
  }
  if (expect === 'exists') {
    if (!stored) throw new Conflict('a precondition of this change no longer holds');
    return;
  }
  const revision = stored ? (JSON.parse(stored.body) as { revision?: unknown }).revision : undefined;
  if (revision !== expect.revision) throw new StaleWrite('the item changed since it was read; re-read and retry');
}

const QUERY_SQL = new Map<string, string>();

/**
 * The SELECT of one query shape (built once per shape: the statement cache is
 * keyed by its text). The limit is bound as `CAST(? AS INTEGER)`, not a bare
 * `?`: SQLite's planner reads a bare LIMIT parameter, so binding one marks
 * the statement for re-preparation and every query paid a fresh parse and
 * plan (~7 µs, more than the query itself). The plan cannot depend on the
 * limit here anyway: every shape reads one key or index range in its order.
 */
function querySql(
  index: (typeof TABLE_INDEXES)[number] | undefined,
  range: 'prefix' | 'between' | 'none',
  fromCursor: boolean,
  descending: boolean,
  limited: boolean,
): string {
  const shape = `${index?.name ?? ''}|${range}|${fromCursor}|${descending}|${limited}`;
  let sql = QUERY_SQL.get(shape);
  if (sql) return sql;
  const pkName = index?.partition ?? 'pk';
  const skName = index?.sort ?? 'sk';
  const order = index ? [skName, 'pk', 'sk'] : ['sk'];
  const direction = descending ? 'DESC' : 'ASC';
  const where = [`${pkName} = ?`];
  if (range === 'prefix') where.push(`${skName} >= ?`, `${skName} < ?`);
  else if (range === 'between') where.push(`${skName} >= ?`, `${skName} <= ?`);
  if (fromCursor) where.push(`(${order.join(', ')}) ${descending ? '<' : '>'} (${order.map(() => '?').join(', ')})`);
  sql = `SELECT body, ${order
    .filter((c) => c !== 'pk' && c !== 'sk')
    .map((c) => `${c}, `)
    .join(
      '',
    )}pk, sk FROM items${index ? ` INDEXED BY ${index.name}` : ''} WHERE ${where.join(' AND ')} ORDER BY ${order.map((c) => `${c} ${direction}`).join(', ')}${limited ? ' LIMIT CAST(? AS INTEGER)' : ''}`;
  QUERY_SQL.set(shape, sql);
  return sql;
}

function indexOf(name: IndexName): (typeof TABLE_INDEXES)[number] {
  const index = TABLE_INDEXES.find((i) => i.name === name);
  if (!index) throw new RangeError(`no index ${name}`);
  return index;
}

/**
 * The body a put stores: the item itself unless it carries a key attribute, which is left out. Not
 * copied otherwise (ten items a registration): its undefined members need no removing, JSON and the
 * audit chain's canonical JSON both leave them out, and nothing here changes the object.
 */
function storedBody(item: Item): Item {
  for (const k in item) if (KEY_ATTRIBUTE_NAMES.has(k)) return withoutKeys(item);
  return item;
}

/** The item without key attributes or undefined members. A for-in walk: `Object.entries` built an array of pairs per item (~2.5× the cost). */
function withoutKeys(item: Item): Item {
  const out: Item = {};
  for (const k in item) {
    const v = item[k];
    if (v !== undefined && !KEY_ATTRIBUTE_NAMES.has(k)) out[k] = v;
  }
  return out;
}

function ttlOf(body: Item): number | null {
  const value = body[TTL_ATTRIBUTE];
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : null;
}

function invalidCursor(): ValidationFailed {
  return new ValidationFailed('invalid cursor', [{ field: 'query.cursor', problem: 'not a cursor issued by this list' }]);
}

/** Domain errors pass; SQLite's own become DependencyFailed with a line that says what to do. */
function storeError(error: unknown): unknown {
  if (error instanceof StewardError || error instanceof Refused || error instanceof RangeError || error instanceof TypeError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL')
    return new DependencyFailed('the metadata store could not write: the disk is full; free space and retry (nothing was written)', { cause: error });
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new DependencyFailed('the metadata store is busy (another process holds its write lock); retry', { cause: error });
  if (code === 'SQLITE_READONLY') return new DependencyFailed('the metadata store is read-only; check the data folder permissions', { cause: error });
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB')
    return new DependencyFailed('the metadata store file is damaged; restore it from a backup', { cause: error });
  return new DependencyFailed('metadata store request failed', { cause: error });
}
