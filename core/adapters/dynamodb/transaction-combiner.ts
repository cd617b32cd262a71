import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limits for one TransactWriteItems call, kept under with a margin for the request envelope. */
const MAX_ITEMS = 100;
const MAX_BYTES = 3.5 * 1024 * 1024;
/** Measured on the local platform: create version 271–285/s without, 331–332/s with 2 ms (bench/README.md). */
export const DEFAULT_LINGER_MS = 2;

export interface CombinerOptions {
  /** Combined transactions in flight at once per client (default 1). */
  readonly maxInFlight?: number;
  /**
   * When the last call carried several transactions and fewer are waiting
   * now, wait this long for the rest before sending (default 2 ms; 0 never
   * waits). Like PostgreSQL's commit_delay, it only applies while writes are
   * concurrent: once a call leaves alone, the next one leaves at once.
   */
  readonly lingerMs?: number;
}

interface Pending {
  readonly items: TransactItem[];
  readonly keys: readonly string[];
  readonly bytes: number;
  /** Sent alone from now on: its last combined attempt failed in a way only a solo call can attribute. */
  solo: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for TransactWriteItems: transactions submitted while earlier
 * ones are in flight wait, and leave together as one TransactWriteItems (all
 * or nothing, at most 100 items and 3.5 MB, never two writes to one item).
 * Each caller still gets exactly the outcome its own transaction would have
 * had alone:
 * - the combined call succeeds: every transaction in it is applied;
 * - it is cancelled: DynamoDB gives a reason per item, so the transactions
 *   whose own items failed are rejected with a TransactionCanceledException
 *   carrying only their reasons, and the others go again;
 * - any other client error (a validation limit): each goes again alone;
 * - a server or network failure: all are rejected, as each would have been.
 *
 * Why: a DynamoDB call has a fixed cost besides its per-item cost, and on
 * DynamoDB Local (one SQLite writer, a commit per call) the fixed part is
 * about 1 ms against about 0.5 ms per item, so under concurrent writes this
 * roughly halves the store's time per transaction (bench/README.md). While
 * writes are concurrent, a call also waits a moment for the rest of the last
 * call's company (`lingerMs`). With one request at a time (a Lambda
 * container) nothing ever waits and every transaction leaves alone, unchanged.
 */
export class TransactionCombiner {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly lingerMs: number;
  /** Transactions in the last call sent; more than now waiting means company is likely on its way. */
  private lastGroup = 1;
  private lingering = false;
  private lingered = false;

  constructor(private readonly client: DynamoDBDocumentClient, options: CombinerOptions = {}) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.lingerMs = Math.max(0, options.lingerMs ?? DEFAULT_LINGER_MS);
  }

  /** Applies `items` as one transaction (possibly inside a larger one); rejects with the SDK's error for these items. */
  write(items: TransactItem[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, keys: items.map(itemKey), bytes: JSON.stringify(items).length, solo: false, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.lingering) return;
    if (this.lingerMs > 0 && !this.lingered && this.inFlight === 0 && this.queue.length > 0 && this.queue.length < this.lastGroup) {
      this.lingering = true;
      setTimeout(() => {
        this.lingering = false;
        this.lingered = true;
        this.pump();
      }, this.lingerMs);
      return;
    }
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.take();
      this.lastGroup = group.length;
      this.lingered = false;
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting transactions that fit together; a transaction touching a key held back keeps its place behind it. */
  private take(): Pending[] {
    const group: Pending[] = [];
    const rest: Pending[] = [];
    const taken = new Set<string>();
    const heldBack = new Set<string>();
    let items = 0;
    let bytes = 0;
    for (const p of this.queue) {
      const fits =
        group.length === 0 ||
        (!p.solo && !group[0]!.solo && items + p.items.length <= MAX_ITEMS && bytes + p.bytes <= MAX_BYTES && !p.keys.some((k) => taken.has(k) || heldBack.has(k)));
      if (fits) {
        group.push(p);
        items += p.items.length;
        bytes += p.bytes;
        for (const k of p.keys) taken.add(k);
      } else {
        rest.push(p);
        for (const k of p.keys) heldBack.add(k);
      }
    }
    this.queue = rest;
    return group;
  }

  private async commit(group: Pending[]): Promise<void> {
    const items = group.length === 1 ? group[0]!.items : group.flatMap((p) => p.items);
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      for (const p of group) p.resolve();
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      this.split(group, items.length, error);
    }
  }

  /** Works out who a combined failure belongs to; what did not fail goes back to the head of the queue. */
  private split(group: Pending[], total: number, error: unknown): void {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons.length === total) {
      const again: Pending[] = [];
      let offset = 0;
      for (const p of group) {
        const own = reasons.slice(offset, offset + p.items.length);
        offset += p.items.length;
        if (own.every((r) => !r.Code || r.Code === 'None')) again.push(p);
        else p.reject(new TransactionCanceledException({ message: (error as Error).message, $metadata: (error as TransactionCanceledException).$metadata, CancellationReasons: own }));
      }
      // Every reason None would be DynamoDB's own puzzle: let each find out alone.
      if (again.length === group.length) for (const p of again) p.solo = true;
      this.queue.unshift(...again);
      return;
    }
    if ((error as { $fault?: string }).$fault === 'client') {
      for (const p of group) p.solo = true;
      this.queue.unshift(...group);
      return;
    }
    for (const p of group) p.reject(error);
  }
}

function itemKey(item: TransactItem): string {
  const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  const key = (item.Put ? item.Put.Item : (op as { Key?: Record<string, unknown> }).Key) ?? {};
  return `${op?.TableName}\u0000${String(key.pk)}\u0000${String(key.sk)}`;
}

const combiners = new WeakMap<DynamoDBDocumentClient, TransactionCombiner>();

/** The combiner of a client: transactions combine only with others on the same client (on AWS, the same tenant's credentials). */
export function transactionCombiner(client: DynamoDBDocumentClient): TransactionCombiner {
  let combiner = combiners.get(client);
  if (!combiner) {
    combiner = new TransactionCombiner(client);
    combiners.set(client, combiner);
  }
  return combiner;
}
