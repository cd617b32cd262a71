import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { Conflict, DependencyFailed, StaleWrite, StewardError } from '../../errors';
import {
  QuotaCeiling,
  type GuardedUpdate,
  type KeyRef,
  type MetadataTable,
  type Page,
  type QueryRequest,
  type ScopedWrite,
  type Item,
} from '../../ports/metadata-store';
import { KEY_ATTRIBUTE_NAMES, TABLE_INDEXES } from '../../storage/table-design';
import { counterCombiner } from './counter-combiner';
import { decodeCursor, encodeCursor } from '../store-cursor';
import { transactGuardedUpdates } from './guarded-updates';
import { transactionCombiner } from './transaction-combiner';
import type { Append, AppendSequence, TransactItem } from './append-sequence';

export { QuotaCeiling } from '../../ports/metadata-store';
export type { IndexKeys, Item, KeyRef, Page, QueryRequest, ScopedWrite } from '../../ports/metadata-store';

export interface ScopedTableOptions {
  /**
   * The owner's chain, for writes marked `chain` (audit events): given, they
   * are linked into it in the transaction that writes them (local mode);
   * absent, they are written unlinked and a sealer links them later (AWS).
   */
  readonly chain?: (table: ScopedTable) => AppendSequence;
}

/**
 * The only door to the table. A ScopedTable is bound to one owner prefix
 * (`T#<tenantId>#` for a tenant, `P#` for the control plane) and builds every
 * key itself, so code holding a tenant's table cannot name another tenant's item.
 * Items come back without their key attributes.
 */
export class ScopedTable implements MetadataTable {
  /** DynamoDB runs transactions side by side: two touching one item cancel each other. */
  readonly serialisesTransactions = false;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly makePartition: (parts: readonly (string | number)[]) => string,
    /** Every partition key this table produces starts with it. */
    readonly prefix: string,
    private readonly options: ScopedTableOptions = {},
  ) {}

  get owner(): string {
    if (this.prefix === 'P#') return 'platform';
    return /^T#([^#]+)#$/.exec(this.prefix)?.[1] ?? this.prefix;
  }

  get identity(): string {
    return `dynamodb\u0000${this.tableName}\u0000${this.prefix}`;
  }

  update(updates: readonly GuardedUpdate[]): Promise<'applied' | 'refused'> {
    return transactGuardedUpdates(this, updates);
  }

  /** The sequence `chain` writes are linked into at commit, if this table links at commit. */
  get chainSequence(): AppendSequence | undefined {
    return this.options.chain?.(this);
  }

  partitionKey(parts: readonly (string | number)[]): string {
    return this.makePartition(parts);
  }

  private keyOf(ref: KeyRef): { pk: string; sk: string } {
    return { pk: this.makePartition(ref.partition), sk: ref.sort };
  }

  async get<T = Item>(ref: KeyRef, options: { consistent?: boolean } = {}): Promise<T | undefined> {
    const out = await this.call(() =>
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: this.keyOf(ref), ConsistentRead: options.consistent ?? true })),
    );
    return out.Item ? (strip(out.Item) as T) : undefined;
  }

  async query<T = Item>(request: QueryRequest): Promise<Page<T>> {
    const index = request.index ? TABLE_INDEXES.find((i) => i.name === request.index)! : undefined;
    const pkName = index?.partition ?? 'pk';
    const skName = index?.sort ?? 'sk';
    const names: Record<string, string> = { '#p': pkName };
    const values: Record<string, unknown> = { ':p': this.makePartition(request.partition) };
    let condition = '#p = :p';
    if (request.sortBeginsWith !== undefined) {
      names['#s'] = skName;
      values[':s'] = request.sortBeginsWith;
      condition += ' AND begins_with(#s, :s)';
    } else if (request.sortBetween) {
      names['#s'] = skName;
      values[':a'] = request.sortBetween[0];
      values[':b'] = request.sortBetween[1];
      condition += ' AND #s BETWEEN :a AND :b';
    }
    const out = await this.call(() =>
      this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index?.name,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: request.limit,
          ScanIndexForward: !request.descending,
          ExclusiveStartKey: decodeCursor(request.cursor, this.prefix),
          ConsistentRead: index ? undefined : request.consistent,
        }),
      ),
    );
    return { items: (out.Items ?? []).map((i) => strip(i) as T), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /**
   * Sets plain attributes on an existing item outside any transaction, for
   * bookkeeping that needs no audit event (e.g. a token's last-used time).
   */
  async patch(ref: KeyRef, fields: Record<string, string | number | boolean>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    await this.call(() =>
      this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.keyOf(ref),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Atomically adds `by` to a numeric attribute outside any transaction,
   * refusing (QuotaCeiling) when the result would pass `atMost`. A single-item
   * update: concurrent callers serialize on the item instead of cancelling
   * each other's transactions, which is why quota reservations use it.
   * Concurrent adds to one counter share an UpdateItem (CounterCombiner).
   */
  async adjust(ref: KeyRef, attribute: string, by: number, atMost?: number): Promise<number> {
    try {
      return await counterCombiner(this.documents).add({ tableName: this.tableName, key: this.keyOf(ref), attribute, by, atMost });
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new QuotaCeiling(attribute, atMost ?? 0, { cause: error });
      throw new DependencyFailed('metadata store request failed', { cause: error });
    }
  }

  /** All writes in one DynamoDB transaction: state changes and their audit events land together or not at all. */
  async transact(writes: readonly ScopedWrite[]): Promise<void> {
    await transactAcross([[this, writes]]);
  }

  /** The raw DynamoDB request for one write (used by transactAcross). */
  prepare(write: ScopedWrite): TransactItem {
    const key = this.keyOf(write.key);
    if (write.kind === 'put') {
      const item: Item = { ...withoutKeys(write.item), ...key };
      for (const [name, ref] of Object.entries(write.indexes ?? {})) {
        const index = TABLE_INDEXES.find((i) => i.name === name)!;
        item[index.partition] = this.makePartition(ref.partition);
        item[index.sort] = ref.sort;
      }
      return { Put: { TableName: this.tableName, Item: item, ...condition(write.expect) } };
    }
    if (write.kind === 'delete') return { Delete: { TableName: this.tableName, Key: key, ...condition(write.expect) } };
    if (write.kind === 'add') {
      // The same update as `adjust` (CounterCombiner), as one item of the transaction.
      const ceiling = write.atMost !== undefined;
      return {
        Update: {
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :by',
          ...(ceiling ? { ConditionExpression: 'attribute_not_exists(#c) OR #c <= :room' } : {}),
          ExpressionAttributeNames: { '#c': write.attribute },
          ExpressionAttributeValues: { ':by': write.by, ':zero': 0, ...(ceiling ? { ':room': write.atMost - write.by } : {}) },
        },
      };
    }
    return { ConditionCheck: { TableName: this.tableName, Key: key, ...condition(write.expect) } as never };
  }

  /** @internal */
  get client(): DynamoDBDocumentClient {
    return this.documents;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    return callStore(run);
  }
}

/**
 * One DynamoDB transaction over writes from several scoped tables (e.g. a
 * tenant's user and the platform's sign-in index). Each table still builds its
 * own keys, so scoping holds across the transaction.
 */
export async function transactAcross(groups: ReadonlyArray<readonly [MetadataTable, readonly ScopedWrite[]]>): Promise<void> {
  const writes = groups.flatMap(([, w]) => w);
  if (writes.length === 0) return;
  for (const [table] of groups) if (!(table instanceof ScopedTable)) throw new TypeError('a DynamoDB transaction takes DynamoDB tables only');
  const tables = groups as ReadonlyArray<readonly [ScopedTable, readonly ScopedWrite[]]>;
  // On AWS a tenant's table holds session-tagged credentials confined to that
  // tenant, so a transaction that also touches platform items must run with the
  // platform's credentials (which may append to named tenant partitions only).
  const [runner] = tables.find(([table]) => table.prefix === 'P#') ?? tables[0];
  const items: TransactItem[] = [];
  const appends: Append[] = [];
  for (const [table, w] of tables) {
    const sequence = w.some((write) => write.kind === 'put' && write.chain) ? table.chainSequence : undefined;
    for (const write of w) {
      if (sequence && write.kind === 'put' && write.chain) appends.push({ index: items.length, sequence });
      items.push(table.prepare(write));
    }
  }
  // Concurrent transactions on one client leave together (group commit); each still gets its own outcome.
  await callStore(() => transactionCombiner(runner.client).write(items, appends), writes);
}

async function callStore<T>(run: () => Promise<T>, writes?: readonly ScopedWrite[]): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // Our own errors (a refused cursor, say) are the caller's business, not a store failure.
    if (error instanceof StewardError) throw error;
    if (error instanceof TransactionCanceledException) {
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const write = writes?.[failed];
        if (write?.kind === 'add') throw new QuotaCeiling(write.attribute, write.atMost ?? 0, { cause: error });
        const expect = write && 'expect' in write ? write.expect : undefined;
        if (expect && typeof expect === 'object') throw new StaleWrite('the item changed since it was read; re-read and retry', { cause: error });
        throw new Conflict(expect === 'new' ? 'an item with this identity already exists' : 'a precondition of this change no longer holds', { cause: error });
      }
      if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new StaleWrite('a concurrent change touched the same items; retry', { cause: error });
    }
    if (error instanceof ConditionalCheckFailedException) throw new Conflict('a precondition of this change no longer holds', { cause: error });
    throw new DependencyFailed('metadata store request failed', { cause: error });
  }
}

function condition(expect: Exclude<ScopedWrite, { kind: 'add' }>['expect']): {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  if (expect === undefined || expect === 'any') return {};
  if (expect === 'new' || expect === 'absent') return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (expect === 'exists') return { ConditionExpression: 'attribute_exists(pk)' };
  return { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'revision' }, ExpressionAttributeValues: { ':v': expect.revision } };
}

function strip(item: Item): Item {
  return withoutKeys(item);
}

function withoutKeys(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTE_NAMES.has(k)) out[k] = v;
  return out;
}
