import { CHAIN_PARTITION, currentHead, HEAD_KEY, headAdvance } from '../../audit/audit-chain';
import type { ChainHead } from '../../audit/chain-check';
import { chainContent, chainSortKey, linkHash } from '../../audit/chain-hash';
import { KEY_ATTRIBUTE_NAMES, TABLE_INDEXES } from '../../storage/table-design';
import type { AppendSequence, TransactItem } from './append-sequence';
import { prepare } from './guarded-updates';
import type { ScopedTable } from './scoped-table';

type LinkState = ChainHead & { readonly eventId: string };

const GSI1 = TABLE_INDEXES.find((i) => i.name === 'gsi1')!;

/**
 * Sealing at commit: an owner's audit events linked into its hash chain by
 * the very transaction that writes them, instead of written unlinked and
 * rewritten by the sealer afterwards (core/audit/audit-chain.ts).
 *
 * The TransactionCombiner calls it while it builds a combined call (see
 * AppendSequence): each event gets `seq`, `prevHash`, `hash` and its place in
 * the `AUDIT#CHAIN` index exactly as the sealer would give them, and the group
 * ends with one conditional head write. The chain is the same; only who links
 * changes. What cannot be linked at commit (the head refused three times by
 * another process's writes, a head that cannot be read) is written unlinked,
 * and the sealer links it as before: every committed event is still sealed.
 *
 * Worth it where one process writes most of an owner's events (local mode:
 * it keeps the head, so linking reads nothing and is never refused). On AWS
 * many Lambda containers write one tenant's events at once, each would find
 * the head moved, so there events are sealed from the table stream instead.
 */
export class AuditChainAtCommit implements AppendSequence<LinkState> {
  readonly headKey: string;
  private known?: LinkState;

  constructor(private readonly table: ScopedTable) {
    this.headKey = `${table.tableName}\u0000${table.partitionKey(HEAD_KEY.partition)}\u0000${HEAD_KEY.sort}`;
  }

  async head(): Promise<LinkState> {
    this.known ??= await currentHead(this.table);
    return this.known;
  }

  link(state: LinkState, item: TransactItem): { item: TransactItem; state: LinkState } {
    const put = item.Put;
    if (!put?.Item || typeof put.Item.eventId !== 'string') throw new TypeError('only the Put of an audit event can be linked');
    const stored: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(put.Item)) if (!KEY_ATTRIBUTE_NAMES.has(name)) stored[name] = value;
    const seq = state.seq + 1;
    // The rule of chain-hash.ts over the event as it will be read back (keys and link fields left out).
    const hash = linkHash(state.hash, { ...chainContent(stored), seq });
    const linked = {
      ...put.Item,
      seq,
      prevHash: state.hash,
      hash,
      [GSI1.partition]: this.table.partitionKey(CHAIN_PARTITION),
      [GSI1.sort]: chainSortKey(seq),
    };
    return { item: { Put: { ...put, Item: linked } }, state: { seq, hash, eventId: put.Item.eventId } };
  }

  advance(before: LinkState, after: LinkState): TransactItem {
    return { Update: prepare(this.table, headAdvance(before, after)) };
  }

  committed(after: LinkState): void {
    this.known = after;
  }

  forget(): void {
    this.known = undefined;
  }
}

const sequences = new WeakMap<object, Map<string, AuditChainAtCommit>>();

/**
 * The sequence of the table's owner for the table's client (one per client,
 * table and owner, so every request of a tenant links behind the same
 * remembered head, and a closed client's memory goes with it). For
 * ScopedTableOptions.chain.
 */
export function auditChainAtCommit(table: ScopedTable): AuditChainAtCommit {
  let byOwner = sequences.get(table.client);
  if (!byOwner) {
    byOwner = new Map();
    sequences.set(table.client, byOwner);
  }
  const key = `${table.tableName}\u0000${table.prefix}`;
  let sequence = byOwner.get(key);
  if (!sequence) {
    sequence = new AuditChainAtCommit(table);
    byOwner.set(key, sequence);
  }
  return sequence;
}
