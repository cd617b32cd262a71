import { QuotaExceeded } from '../errors';
import type { IndexName } from '../storage/table-design';

/**
 * The metadata store as the domain sees it: items addressed by key segments,
 * grouped in partitions, with up to four secondary indexes, conditional
 * writes, all-or-nothing transactions, atomic counters with ceilings and
 * cursor-paged queries. Two adapters hold it to one contract
 * (test/contract/metadata-store.contract.ts):
 * - DynamoDB (core/adapters/dynamodb/): AWS, and DynamoDB Local;
 * - SQLite (core/adapters/sqlite/): the embedded default of `npm start`.
 *
 * A MetadataTable is bound to one owner (a tenant, or the control plane) and
 * builds every key itself, so code holding a tenant's table cannot name
 * another tenant's item. Items come back without their key attributes.
 */

export type { IndexName } from '../storage/table-design';

/** A key given as segments; the scoped table adds the owner prefix itself. */
export interface KeyRef {
  readonly partition: readonly (string | number)[];
  readonly sort: string;
}

export type IndexKeys = Partial<Record<IndexName, KeyRef>>;

export type Item = Record<string, unknown>;

export type ScopedWrite =
  | {
      readonly kind: 'put';
      readonly key: KeyRef;
      readonly indexes?: IndexKeys;
      readonly item: Item;
      /** `new` = must not exist; `{revision:n}` = optimistic lock on the stored `revision`. */
      readonly expect?: 'new' | 'any' | { readonly revision: number };
      /** An event of the owner's append-only chain (audit): linked at commit where the store links at commit, written as it is otherwise. */
      readonly chain?: true;
    }
  | {
      readonly kind: 'delete';
      readonly key: KeyRef;
      readonly expect?: 'exists' | 'any' | { readonly revision: number };
    }
  | {
      readonly kind: 'check';
      readonly key: KeyRef;
      readonly expect: 'exists' | 'absent' | { readonly revision: number };
    }
  | {
      /**
       * A counter with a ceiling, as `adjust` but inside the transaction: adds
       * `by` to a numeric attribute (creating the item and the attribute at 0),
       * and refuses the whole transaction with QuotaCeiling when the result
       * would pass `atMost` (an absent attribute is never refused).
       */
      readonly kind: 'add';
      readonly key: KeyRef;
      readonly attribute: string;
      readonly by: number;
      readonly atMost?: number;
    };

export interface QueryRequest {
  readonly index?: IndexName;
  readonly partition: readonly (string | number)[];
  readonly sortBeginsWith?: string;
  /** Both ends inclusive. */
  readonly sortBetween?: readonly [string, string];
  readonly limit?: number;
  readonly cursor?: string;
  readonly descending?: boolean;
  readonly consistent?: boolean;
}

export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

/**
 * A conditional in-place update: SETs attributes and (re)assigns index keys,
 * and applies only while every condition holds. The audit sealer moves events
 * from the unsealed to the chain index with it.
 */
export interface GuardedUpdate {
  readonly key: KeyRef;
  /** Plain attributes; never a key attribute. */
  readonly set: Readonly<Record<string, string | number>>;
  /** Index keys to assign; partitions get the table's owner prefix. */
  readonly indexes?: IndexKeys;
  readonly expect: {
    /** `new`: the item must not exist (the update creates it); `exists`: it must. */
    readonly item?: 'new' | 'exists';
    /** Attributes that must currently hold these values. */
    readonly equals?: Readonly<Record<string, string | number>>;
    /** Attributes that must currently be absent. */
    readonly missing?: readonly string[];
    /** The item must currently sit in this index partition. */
    readonly inIndex?: { readonly index: IndexName; readonly partition: readonly (string | number)[] };
  };
}

/** A counter write refused at its ceiling; use cases see it as QuotaExceeded. */
export class QuotaCeiling extends QuotaExceeded {}

/**
 * One owner's view of the store. Failures surface as domain errors:
 * a failed `new`/`exists`/`absent` expectation as Conflict, a stale
 * `revision` as StaleWrite, a counter past its ceiling as QuotaCeiling,
 * anything else as DependencyFailed.
 */
export interface MetadataTable {
  /** Whose items these are: the tenant id, or `platform` for the control plane. */
  readonly owner: string;
  /** Names the store and the owner: equal for two tables that address the same items (a key for per-table caches). */
  readonly identity: string;
  /**
   * True where write transactions are applied one at a time (the embedded
   * store): an item that every transaction of a kind writes, such as a usage
   * counter (an `add` write), costs nothing there. On DynamoDB such an item
   * makes concurrent transactions cancel each other (TransactionConflict), so
   * use cases keep hot items out of their transactions there (`adjust` instead).
   */
  readonly serialisesTransactions: boolean;

  get<T = Item>(ref: KeyRef, options?: { consistent?: boolean }): Promise<T | undefined>;
  query<T = Item>(request: QueryRequest): Promise<Page<T>>;
  /** All writes in one transaction: state changes and their audit events land together or not at all (at most 100). */
  transact(writes: readonly ScopedWrite[]): Promise<void>;
  /**
   * Sets plain attributes on an existing item outside any transaction, for
   * bookkeeping that needs no audit event (e.g. a token's last-used time).
   * Conflict when the item does not exist.
   */
  patch(ref: KeyRef, fields: Record<string, string | number | boolean>): Promise<void>;
  /**
   * Atomically adds `by` to a numeric attribute (creating the item and the
   * attribute at 0 when absent), refusing with QuotaCeiling when the result
   * would pass `atMost`. Returns the value after this add.
   */
  adjust(ref: KeyRef, attribute: string, by: number, atMost?: number): Promise<number>;
  /** All updates in one transaction (at most 100); `refused` when a condition failed or a concurrent write intervened. */
  update(updates: readonly GuardedUpdate[]): Promise<'applied' | 'refused'>;
}

/**
 * The whole store, as only the control plane and the platform's assembly
 * hold it. Tenant use cases never see it: they get their MetadataTable.
 */
export interface MetadataStore {
  readonly kind: 'dynamodb' | 'sqlite';
  tenant(tenantId: string): MetadataTable;
  platform(): MetadataTable;
  /**
   * One transaction over writes of several tables of this store (e.g. a
   * tenant's user and the platform's sign-in index). Each table still builds
   * its own keys, so scoping holds across the transaction.
   */
  transactAcross(groups: ReadonlyArray<readonly [MetadataTable, readonly ScopedWrite[]]>): Promise<void>;
  /** Deletes every item of a tenant except its audit trail (tenant deletion). Returns how many were removed. */
  purgeTenant(tenantId: string): Promise<number>;
  /** Resolves when the store answers; rejects with the reason otherwise (health). */
  ping(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** What use cases that write control-plane items beside a tenant's (user invitations, CI tokens) are given explicitly. */
export type ControlPlaneStore = Pick<MetadataStore, 'platform' | 'transactAcross'>;
