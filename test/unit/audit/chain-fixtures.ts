import type { AuditEvent } from '../../../core/audit/audit-event';
import { genesisHash, linkHash, type SealedAuditEvent } from '../../../core/audit/chain-hash';

export const OWNER = 't000000000000001';

export function event(n: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: `01JD${String(n).padStart(22, '0')}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    action: 'user.updated',
    actor: 'user:alice',
    target: { type: 'user', id: `u${n}` },
    before: { roles: ['viewer'] },
    after: { roles: ['viewer', 'approver'], n },
    requestId: `req-${n}`,
    ...overrides,
  };
}

/** Links events the way the sealer does: seq from 1, each hash over the previous. */
export function sealed(events: readonly AuditEvent[], owner = OWNER): SealedAuditEvent[] {
  let prevHash = genesisHash(owner);
  return events.map((e, i) => {
    const content = { ...e, seq: i + 1 };
    const hash = linkHash(prevHash, content);
    const linked = { ...content, prevHash, hash };
    prevHash = hash;
    return linked;
  });
}

export function chainOf(length: number): SealedAuditEvent[] {
  return sealed(Array.from({ length }, (_, i) => event(i + 1)));
}
