import { monotonicFactory } from 'ulid';
import { ulidRandom } from '../storage/ulid-random';

// Monotonic within the process: events of one request (or one millisecond) keep their order.
const ulid = monotonicFactory(ulidRandom);
import type { ScopedWrite } from '../ports/metadata-store';

/** Who acted, and through what, for one request or job. */
export interface ActionMeta {
  /** `user:<id>`, `token:<id>`, `platform-admin:<id>`, `system:<component>`, `anonymous`. */
  readonly actor: string;
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly tokenId?: string;
}

export interface AuditTarget {
  readonly type: string;
  readonly id: string;
}

export interface AuditEvent {
  readonly eventId: string;
  readonly at: string;
  readonly action: string;
  readonly actor: string;
  readonly target: AuditTarget;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly tokenId?: string;
}

/**
 * The audit write for one action, to be put in the same transaction as the
 * change it records, so there is never a change without its event nor an event
 * without its change. Events are append-only (`expect: 'new'`). Where the
 * table links at commit (local mode, chain-at-commit.ts) the transaction links
 * the event into the owner's hash chain; elsewhere it enters the `UNSEALED`
 * index, from which the chain sealer links it.
 */
export function auditWrite(
  meta: ActionMeta,
  action: string,
  target: AuditTarget,
  change: { before?: unknown; after?: unknown },
  at: Date,
): { event: AuditEvent; write: ScopedWrite } {
  const eventId = ulid(at.getTime()).toLowerCase();
  const event: AuditEvent = {
    eventId,
    at: at.toISOString(),
    action,
    actor: meta.actor,
    target,
    before: change.before ?? null,
    after: change.after ?? null,
    requestId: meta.requestId,
    sourceIp: meta.sourceIp,
    tokenId: meta.tokenId,
  };
  return {
    event,
    write: {
      kind: 'put',
      key: { partition: ['AUDIT'], sort: `E#${eventId}` },
      indexes: {
        gsi1: { partition: ['AUDIT', 'UNSEALED'], sort: eventId },
        gsi2: { partition: ['AUDIT', 'TARGET', target.type, target.id], sort: eventId },
        gsi3: { partition: ['AUDIT', 'ACTOR', meta.actor], sort: eventId },
      },
      item: { entity: 'audit-event', ...event },
      expect: 'new',
      chain: true,
    },
  };
}
