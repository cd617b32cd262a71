import { linkHash, type StoredAuditEvent } from './chain-hash';

export type ChainBreakReason = 'content-altered' | 'link-broken' | 'sequence-gap' | 'event-missing';

/** The first place a chain stops proving itself. */
export interface ChainBreak {
  readonly reason: ChainBreakReason;
  /** The chain position where the break shows. */
  readonly seq: number;
  /** The event at which it was found (for a gap: the first event after it). */
  readonly eventId?: string;
  readonly detail: string;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Walks a chain in order, one event at a time, so a caller can stream pages
 * through it. Per event, in this order:
 * - content-altered: the event's content no longer hashes to its stored `hash`
 *   (an edit that did not recompute the hash; also an edited `seq`);
 * - sequence-gap: the event is not the next position (events deleted, or a
 *   position occupied twice);
 * - link-broken: its `prevHash` is not the previous event's `hash` (an edit
 *   that recomputed its own hash breaks the link of the event after it).
 * At the end, against the head: event-missing when the chain stops before the
 * head's `seq` (a deleted tail), link-broken when the last hash is not the
 * head's (a re-hashed edit of the last event).
 *
 * `step` does not advance on a break, so a caller may re-read and offer the
 * same position again (index lag on AWS).
 */
export class ChainWalk {
  private expected: number;
  private previousHash: string;
  private count = 0;

  /** @param anchor the position before the first event to check: `{ seq: 0, hash: genesis }` from the start. */
  constructor(anchor: ChainHead) {
    this.expected = anchor.seq + 1;
    this.previousHash = anchor.hash;
  }

  /** The position the next event must have. */
  get nextSeq(): number {
    return this.expected;
  }

  get checked(): number {
    return this.count;
  }

  get last(): ChainHead {
    return { seq: this.expected - 1, hash: this.previousHash };
  }

  step(event: StoredAuditEvent): ChainBreak | undefined {
    const seq = this.expected;
    if (typeof event.hash !== 'string' || typeof event.prevHash !== 'string' || typeof event.seq !== 'number') {
      return { reason: 'content-altered', seq, eventId: event.eventId, detail: 'the event in this position has lost its chain fields' };
    }
    if (linkHash(event.prevHash, event as unknown as Record<string, unknown>) !== event.hash) {
      return { reason: 'content-altered', seq, eventId: event.eventId, detail: `event ${event.eventId} no longer hashes to its stored hash` };
    }
    if (event.seq !== seq) {
      return {
        reason: 'sequence-gap',
        seq,
        eventId: event.eventId,
        detail:
          event.seq > seq
            ? `expected seq ${seq}, found ${event.seq}: ${event.seq - seq} event(s) missing`
            : `seq ${event.seq} appears again where ${seq} was expected`,
      };
    }
    if (event.prevHash !== this.previousHash) {
      return { reason: 'link-broken', seq, eventId: event.eventId, detail: `prevHash of seq ${seq} is not the hash of seq ${seq - 1}` };
    }
    this.previousHash = event.hash;
    this.expected += 1;
    this.count += 1;
    return undefined;
  }

  /** Call when the walk has reached the end of the stored chain, with the head read before it. */
  finish(head: ChainHead): ChainBreak | undefined {
    const last = this.last;
    if (last.seq < head.seq) {
      return { reason: 'event-missing', seq: last.seq + 1, detail: `the head names seq ${head.seq}, the chain ends at ${last.seq}` };
    }
    if (last.seq === head.seq && last.hash !== head.hash) {
      return { reason: 'link-broken', seq: last.seq, detail: `the hash of seq ${last.seq} is not the one the chain head recorded` };
    }
    return undefined;
  }
}

/**
 * Checks a whole in-memory chain (an export, a test fixture): events in seq
 * order from `anchor.seq + 1`, and optionally the head that should end it.
 */
export function checkChain(events: Iterable<StoredAuditEvent>, options: { anchor: ChainHead; head?: ChainHead }): { checked: number; broken?: ChainBreak } {
  const walk = new ChainWalk(options.anchor);
  for (const event of events) {
    const broken = walk.step(event);
    if (broken) return { checked: walk.checked, broken };
  }
  const broken = options.head ? walk.finish(options.head) : undefined;
  return { checked: walk.checked, broken };
}
