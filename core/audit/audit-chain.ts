import { z } from 'zod';
import type { GuardedUpdate, KeyRef, MetadataTable } from '../ports/metadata-store';
import { StewardError } from '../errors';
import { ChainWalk, type ChainBreak, type ChainBreakReason, type ChainHead } from './chain-check';
import { chainContent, chainSortKey, genesisHash, linkHash, type StoredAuditEvent } from './chain-hash';

/**
 * The per-owner (tenant, or the platform) hash chain over audit events.
 *
 * Two ways in, one chain. Where one process writes an owner's events (local
 * mode) the writing transaction links them itself (core/adapters/dynamodb/audit-chain-at-commit.ts; the SQLite store links in its own transaction): the
 * events of a combined call get the next positions behind one conditional head
 * write. Elsewhere (AWS: many Lambda containers per tenant, a head touched by
 * every transaction would make concurrent requests cancel each other), and for
 * whatever could not be linked at commit, events are written into the sparse
 * `AUDIT#UNSEALED` partition of gsi1, unlinked, and the sealer links them
 * afterwards, in batches, each batch one transaction that
 * - gives every event `seq`, `prevHash`, `hash` and moves it to the
 *   `AUDIT#CHAIN` partition of gsi1 (sort key: `seq` zero-padded), on
 *   condition that it is still in `AUDIT#UNSEALED` and has no `hash`;
 * - advances the head `AUDIT-HEAD`/`META` to the batch's last `seq`/`hash`, on
 *   condition that it still holds the `seq`/`hash` the batch was built on
 *   (or does not exist, for the first batch).
 * Two sealers racing therefore cannot both extend the same head: one
 * transaction is refused whole and its sealer re-reads and retries. Chain
 * order is the order in which events were sealed: ULID (time) order among the
 * events pending at each batch; an event that becomes visible late is sealed
 * later, its `seq` saying where it stands.
 */
export const UNSEALED_PARTITION = ['AUDIT', 'UNSEALED'] as const;
export const CHAIN_PARTITION = ['AUDIT', 'CHAIN'] as const;
/** `AUDIT-HEAD` begins with `AUDIT`, so tenant purge (which keeps `AUDIT*`) keeps the head with the trail. */
export const HEAD_KEY: KeyRef = { partition: ['AUDIT-HEAD'], sort: 'META' };

/** The chain cannot be extended safely (head gone while sealed events exist, head unreadable). */
export class AuditChainCorrupted extends StewardError {
  readonly code = 'audit-chain-corrupted';
}

/** Other sealers kept winning the head; what is left stays pending for the next run. */
export class SealingContended extends StewardError {
  readonly code = 'sealing-contended';
}

const HeadSchema = z.object({ seq: z.number().int().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/), eventId: z.string() });

/** Whose chain a table holds: the tenant id, or `platform` for the control-plane table. */
export function chainOwner(table: MetadataTable): string {
  return table.owner;
}

/** The stored head, `undefined` before the first seal; throws if it is not a head any more. */
export async function readChainHead(table: MetadataTable): Promise<(ChainHead & { eventId: string }) | undefined> {
  const item = await table.get(HEAD_KEY, { consistent: true });
  if (!item) return undefined;
  const parsed = HeadSchema.safeParse(item);
  if (!parsed.success) throw new AuditChainCorrupted('the audit chain head is malformed');
  return parsed.data;
}

export interface SealOptions {
  /** Seal at most this many events in this call (default 1000). */
  readonly max?: number;
  /** Events per transaction, 1–99 (default 50; one more write is the head). */
  readonly batch?: number;
  /** Consecutive refused batches before giving up with SealingContended (default 30). */
  readonly attempts?: number;
  /** Keep sealing until a read finds nothing pending, even after a short page (default false: stop after a short page). */
  readonly untilEmpty?: boolean;
}

/**
 * Links pending events of the table's owner into its chain, oldest first.
 * Safe to run from any number of processes at once.
 *
 * @returns how many events this call sealed.
 * @example
 * await sealPending(platform.tenantTable(tenantId), { max: 500 });
 */
export async function sealPending(table: MetadataTable, options: SealOptions = {}): Promise<number> {
  const max = options.max ?? 1000;
  const batch = Math.max(1, Math.min(99, options.batch ?? 50));
  const attempts = options.attempts ?? 30;
  let sealed = 0;
  let refused = 0;
  while (sealed < max) {
    const limit = Math.min(batch, max - sealed);
    const page = await table.query<StoredAuditEvent>({ index: 'gsi1', partition: UNSEALED_PARTITION, limit });
    if (page.items.length === 0) break;
    const head = await currentHead(table);
    // The index may lag the table (AWS): an event already sealed can still be listed; it would only get the batch refused.
    const pending = page.items.filter((e) => e.hash === undefined);
    const outcome = pending.length ? await table.update(sealBatch(head, pending)) : 'refused';
    if (outcome === 'applied') {
      sealed += pending.length;
      refused = 0;
      // A short page was everything pending when it was read. Stop here rather than chase the few
      // events written meanwhile, batch after tiny batch: the sealer's next run (a nudge, the sweep)
      // takes them together.
      if (page.items.length < limit && !options.untilEmpty) break;
      continue;
    }
    refused += 1;
    if (refused >= attempts) throw new SealingContended(`gave up sealing after ${refused} refused batches; ${sealed} sealed in this run`);
    await sleep(Math.random() * 10 * Math.min(refused, 10));
  }
  return sealed;
}

/** The head to extend: the stored one, or the genesis before the first event; throws AuditChainCorrupted when the chain cannot be extended. */
export async function currentHead(table: MetadataTable): Promise<ChainHead & { eventId: string }> {
  const head = await readChainHead(table);
  if (head) return head;
  const sealed = await table.query({ index: 'gsi1', partition: CHAIN_PARTITION, limit: 1 });
  if (sealed.items.length > 0) throw new AuditChainCorrupted('the audit chain head is missing while sealed events exist; refusing to start a second chain');
  return { seq: 0, hash: genesisHash(chainOwner(table)), eventId: '' };
}

/** Moves the head from `before` to `after` (the last event linked), while the store still holds `before`. */
export function headAdvance(before: ChainHead, after: ChainHead & { eventId: string }): GuardedUpdate {
  return {
    key: HEAD_KEY,
    set: { entity: 'audit-head', seq: after.seq, hash: after.hash, eventId: after.eventId },
    expect: before.seq === 0 ? { item: 'new' } : { equals: { seq: before.seq, hash: before.hash } },
  };
}

function sealBatch(head: ChainHead, events: readonly StoredAuditEvent[]): GuardedUpdate[] {
  const updates: GuardedUpdate[] = [];
  let { seq, hash } = head;
  let lastEventId = '';
  for (const event of events) {
    seq += 1;
    const prevHash = hash;
    hash = linkHash(prevHash, { ...chainContent(event as unknown as Record<string, unknown>), seq });
    lastEventId = event.eventId;
    updates.push({
      key: { partition: ['AUDIT'], sort: `E#${event.eventId}` },
      set: { seq, prevHash, hash },
      indexes: { gsi1: { partition: CHAIN_PARTITION, sort: chainSortKey(seq) } },
      expect: { item: 'exists', inIndex: { index: 'gsi1', partition: UNSEALED_PARTITION }, missing: ['hash', 'seq'] },
    });
  }
  updates.push(headAdvance(head, { seq, hash, eventId: lastEventId }));
  return updates;
}

/** The answer to "is this trail intact?" */
export interface ChainReport {
  readonly ok: boolean;
  /** Events whose hash and link were checked. */
  readonly checked: number;
  /** First and last position covered by this check. */
  readonly from: number;
  readonly through: number;
  /** Whether the check reached the head (false when `limit` cut it short). */
  readonly complete: boolean;
  /** The head read at the start: the last sealed event. `seq` 0 and the genesis hash before the first seal. */
  readonly head: ChainHead;
  /** Events written but not sealed yet (not covered by this check). */
  readonly unsealed: number;
  readonly firstBrokenSeq?: number;
  readonly eventId?: string;
  readonly reason?: ChainBreakReason;
  readonly detail?: string;
}

export interface VerifyOptions {
  /** First position to check (default 1). From n > 1 the stored hash of n − 1 is the anchor. */
  readonly from?: number;
  /** Check at most this many events (default: to the head). */
  readonly limit?: number;
  /** A missing position is looked up again this many times before it counts (index lag on AWS; default 2). */
  readonly lagRetries?: number;
  readonly lagDelayMs?: number;
}

/**
 * Walks the chain in `seq` order, recomputing every hash and link, and
 * compares its end with the head (see ChainWalk for what each break means).
 * Reads only: it does not seal.
 */
export async function verifyChain(table: MetadataTable, options: VerifyOptions = {}): Promise<ChainReport> {
  const from = Math.max(1, Math.floor(options.from ?? 1));
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const lagRetries = options.lagRetries ?? 2;
  const lagDelayMs = options.lagDelayMs ?? 200;
  const genesis = { seq: 0, hash: genesisHash(chainOwner(table)) };
  const unsealed = await countUnsealed(table);

  let stored: (ChainHead & { eventId: string }) | undefined;
  try {
    stored = await readChainHead(table);
  } catch (error) {
    if (!(error instanceof AuditChainCorrupted)) throw error;
    return broken({ from, through: from - 1, checked: 0, head: genesis, unsealed }, { reason: 'link-broken', seq: 0, detail: error.message });
  }
  const head: ChainHead = stored ? { seq: stored.seq, hash: stored.hash } : genesis;
  const base = { from, head, unsealed };
  if (!stored) {
    const orphan = (await table.query<StoredAuditEvent>({ index: 'gsi1', partition: CHAIN_PARTITION, limit: 1 })).items[0];
    if (orphan)
      return broken(
        { ...base, checked: 0, through: from - 1 },
        { reason: 'link-broken', seq: orphan.seq ?? 1, eventId: orphan.eventId, detail: 'the chain head is missing while sealed events exist' },
      );
    return { ok: true, checked: 0, through: 0, complete: true, ...base };
  }
  if (from > head.seq) return { ok: true, checked: 0, through: from - 1, complete: true, ...base };

  let anchor: ChainHead = genesis;
  if (from > 1) {
    const before = await eventAt(table, from - 1);
    if (!before?.hash)
      return broken(
        { ...base, checked: 0, through: from - 1 },
        { reason: 'sequence-gap', seq: from - 1, detail: `no sealed event at seq ${from - 1} to anchor the check` },
      );
    anchor = { seq: from - 1, hash: before.hash };
  }

  const last = Math.min(head.seq, from - 1 + limit);
  const walk = new ChainWalk(anchor);
  let retries = 0;
  while (walk.nextSeq <= last) {
    const page = await table.query<StoredAuditEvent>({
      index: 'gsi1',
      partition: CHAIN_PARTITION,
      sortBetween: [chainSortKey(walk.nextSeq), chainSortKey(last)],
      limit: Math.min(100, last - walk.nextSeq + 1),
    });
    const before = walk.nextSeq;
    let found: ChainBreak | undefined;
    for (const event of page.items) {
      found = walk.step(event);
      if (found) break;
    }
    if (!found && page.items.length === 0) found = walk.finish(head);
    if (walk.nextSeq > before) retries = 0;
    if (!found) continue;
    if ((found.reason === 'sequence-gap' || found.reason === 'event-missing') && retries < lagRetries) {
      retries += 1;
      await sleep(lagDelayMs * retries);
      continue;
    }
    return broken({ ...base, checked: walk.checked, through: walk.last.seq }, found);
  }
  if (last === head.seq) {
    const found = walk.finish(head);
    if (found) return broken({ ...base, checked: walk.checked, through: walk.last.seq }, found);
  }
  return { ok: true, checked: walk.checked, through: walk.last.seq, complete: last === head.seq, ...base };
}

function broken(report: Omit<ChainReport, 'ok' | 'complete'>, found: ChainBreak): ChainReport {
  return { ...report, ok: false, complete: false, firstBrokenSeq: found.seq, eventId: found.eventId, reason: found.reason, detail: found.detail };
}

async function eventAt(table: MetadataTable, seq: number): Promise<StoredAuditEvent | undefined> {
  const key = chainSortKey(seq);
  return (await table.query<StoredAuditEvent>({ index: 'gsi1', partition: CHAIN_PARTITION, sortBetween: [key, key], limit: 1 })).items[0];
}

/** Pending events, counted up to `cap` (a backlog that large is reported as the cap). */
export async function countUnsealed(table: MetadataTable, cap = 100_000): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await table.query({ index: 'gsi1', partition: UNSEALED_PARTITION, limit: 1000, cursor });
    count += page.items.length;
    cursor = page.cursor;
  } while (cursor && count < cap);
  return Math.min(count, cap);
}

/**
 * Seals what is pending, then verifies: the answer covers every event written
 * before the call. A chain that cannot be extended, or a sealer that keeps
 * losing races, does not stop the check; the report says what is unsealed.
 */
export async function sealAndVerify(table: MetadataTable, options: VerifyOptions & { maxSeal?: number } = {}): Promise<ChainReport> {
  await sealAsMuchAsPossible(table, options.maxSeal ?? 10_000);
  return verifyChain(table, options);
}

/** Seals up to `max`; gives up quietly on a corrupted chain or contention (the caller reports what is left). */
export async function sealAsMuchAsPossible(table: MetadataTable, max: number): Promise<number> {
  try {
    return await sealPending(table, { max, untilEmpty: true });
  } catch (error) {
    if (error instanceof AuditChainCorrupted || error instanceof SealingContended) return 0;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
