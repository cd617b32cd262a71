import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Append, AppendSequence, TransactItem } from './append-sequence';

export type { TransactItem } from './append-sequence';

/** DynamoDB's limits for one TransactWriteItems call, kept under with a margin for the request envelope. */
const MAX_ITEMS = 100;
const MAX_BYTES = 3.5 * 1024 * 1024;
/** Measured on the local platform: create version 271–285/s without, 331–332/s with 2 ms (bench/README.md). */
export const DEFAULT_LINGER_MS = 2;
/** Refused head writes in a row after which a transaction's appends are written unlinked (the sealer links them later). */
const MAX_HEAD_REFUSALS = 3;

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
  readonly appends: readonly Append[];
  readonly bytes: number;
  /** Sent alone from now on: its last combined attempt failed in a way only a solo call can attribute. */
  solo: boolean;
  /** Its appends are written as they are from now on (too many refused heads, or linking itself failed). */
  unlinked: boolean;
  headRefusals: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for TransactWriteItems: transactions submitted while earlier
 * ones are in flight wait, and leave together as one TransactWriteItems (all
 * or nothing, at most 100 items and 3.5 MB, never two writes to one item).
 * Items a transaction appends to an AppendSequence (audit events) are linked
 * into it while the call is built, all of a group behind one conditional head
 * write (append-sequence.ts); a refused head sends the group again, and after
 * a few refusals the appends are written unlinked, as without a sequence.
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

  constructor(
    private readonly client: DynamoDBDocumentClient,
    options: CombinerOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.lingerMs = Math.max(0, options.lingerMs ?? DEFAULT_LINGER_MS);
  }

  /**
   * Applies `items` as one transaction (possibly inside a larger one); rejects with the SDK's error for these items.
   * `appends` names the items (Puts) to link into a sequence at commit.
   */
  write(items: TransactItem[], appends: readonly Append[] = []): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        items,
        keys: items.map(itemKey),
        appends,
        bytes: JSON.stringify(items).length,
        solo: false,
        unlinked: false,
        headRefusals: 0,
        resolve,
        reject,
      });
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
    // Heads of the sequences the group appends to: shared by appending transactions, one write each.
    const heads = new Set<string>();
    let items = 0;
    let bytes = 0;
    for (const p of this.queue) {
      const own = p.unlinked ? [] : [...new Set(p.appends.map((a) => a.sequence.headKey))];
      const newHeads = own.filter((h) => !heads.has(h)).length;
      if (group.length === 0 && p.items.length + newHeads > MAX_ITEMS) p.unlinked = true;
      const fits =
        group.length === 0 ||
        (!p.solo &&
          !group[0].solo &&
          items + p.items.length + newHeads <= MAX_ITEMS &&
          bytes + p.bytes <= MAX_BYTES &&
          !p.keys.some((k) => taken.has(k) || heldBack.has(k) || heads.has(k)) &&
          !own.some((h) => taken.has(h) || heldBack.has(h)));
      if (fits) {
        group.push(p);
        items += p.items.length + (p.unlinked ? 0 : newHeads);
        bytes += p.bytes;
        for (const k of p.keys) taken.add(k);
        if (!p.unlinked) for (const h of own) heads.add(h);
      } else {
        rest.push(p);
        for (const k of p.keys) heldBack.add(k);
      }
    }
    this.queue = rest;
    return group;
  }

  private async commit(group: Pending[]): Promise<void> {
    let call: Call;
    try {
      call = await this.build(group);
    } catch (error) {
      // A sequence that fails where it promised not to (advance): nobody may wait forever for it.
      for (const p of group) p.reject(error);
      return;
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: call.items }));
      for (const h of call.heads) h.sequence.committed(h.after);
      for (const p of group) p.resolve();
    } catch (error) {
      for (const h of call.heads) h.sequence.forget();
      if (group.length === 1 && call.heads.length === 0) return group[0].reject(error);
      this.split(group, call, error);
    }
  }

  /** The combined call: each transaction's items in order (appends linked where they can be), then one write per sequence head. */
  private async build(group: Pending[]): Promise<Call> {
    if (group.length === 1 && (group[0].unlinked || group[0].appends.length === 0)) return { items: group[0].items, heads: [], linked: new Set() };
    const items: TransactItem[] = [];
    const states = new Map<string, Head | null>();
    const linked = new Set<Pending>();
    for (const p of group) {
      const at = new Map(p.unlinked ? [] : p.appends.map((a) => [a.index, a.sequence] as const));
      for (let i = 0; i < p.items.length; i++) {
        let item = p.items[i];
        const sequence = at.get(i);
        if (sequence) {
          let state = states.get(sequence.headKey);
          if (state === undefined) {
            // A head that cannot be read (or a chain that cannot be extended) leaves the appends unlinked, never fails the write.
            state = await sequence.head().then(
              (head) => ({ sequence, before: head, after: head, index: -1 }),
              () => null,
            );
            states.set(sequence.headKey, state);
          }
          if (state) {
            try {
              const next = state.sequence.link(state.after, item);
              item = next.item;
              state.after = next.state;
              linked.add(p);
            } catch {
              // Not linkable (not a Put, or content the chain cannot hash): written as it is, for the sealer to judge.
            }
          }
        }
        items.push(item);
      }
    }
    const heads: Head[] = [];
    for (const state of states.values()) {
      if (!state || state.after === state.before) continue;
      state.index = items.length;
      items.push(state.sequence.advance(state.before, state.after));
      heads.push(state);
    }
    return { items, heads, linked };
  }

  /** Works out who a combined failure belongs to; what did not fail goes back to the head of the queue. */
  private split(group: Pending[], call: Call, error: unknown): void {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons.length === call.items.length) {
      const again: Pending[] = [];
      let offset = 0;
      for (const p of group) {
        const own = reasons.slice(offset, offset + p.items.length);
        offset += p.items.length;
        if (own.every((r) => !failed(r.Code))) again.push(p);
        else
          p.reject(
            new TransactionCanceledException({
              message: (error as Error).message,
              $metadata: (error as TransactionCanceledException).$metadata,
              CancellationReasons: own,
            }),
          );
      }
      if (call.heads.some((h) => failed(reasons[h.index]?.Code))) {
        // Another process extended a sequence first: link again on the fresh head, or give up linking.
        for (const p of again) {
          if (!call.linked.has(p)) continue;
          p.headRefusals += 1;
          if (p.headRefusals >= MAX_HEAD_REFUSALS) p.unlinked = true;
        }
      } else if (again.length === group.length) {
        // Every reason None would be DynamoDB's own puzzle: let each find out alone.
        if (group.length === 1) return group[0].reject(error);
        for (const p of again) p.solo = true;
      }
      this.queue.unshift(...again);
      return;
    }
    if ((error as { $fault?: string }).$fault === 'client') {
      if (group.length === 1) {
        const p = group[0];
        // Linking made it larger: try it as it would have been sent without a sequence.
        if (!call.linked.has(p)) return p.reject(error);
        p.unlinked = true;
        this.queue.unshift(p);
        return;
      }
      for (const p of group) p.solo = true;
      this.queue.unshift(...group);
      return;
    }
    for (const p of group) p.reject(error);
  }
}

interface Head {
  readonly sequence: AppendSequence;
  readonly before: unknown;
  after: unknown;
  /** Position of the head write in the call. */
  index: number;
}

interface Call {
  readonly items: TransactItem[];
  readonly heads: readonly Head[];
  /** Transactions with at least one item linked in this call. */
  readonly linked: ReadonlySet<Pending>;
}

function failed(code: string | undefined): boolean {
  return code !== undefined && code !== 'None';
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
