import { z } from 'zod';
import type { Page, QueryRequest, MetadataTable } from '../ports/metadata-store';
import { ValidationFailed } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import type { StoredAuditEvent } from './chain-hash';

export const AuditFilterSchema = z.object({
  targetType: z
    .string()
    .regex(/^[a-z-]{2,40}$/)
    .optional(),
  targetId: z
    .string()
    .regex(/^[0-9a-z-]{1,64}$/)
    .optional(),
  actor: z
    .string()
    .regex(/^[a-z-]+(:[0-9a-z-]+)?$/)
    .max(120)
    .optional(),
  from: z.string().datetime().optional(),
  to: z.string().datetime().optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/**
 * A tenant's audit events, newest first: by target, by actor, or all; each a
 * Query on its own index, bounded by time through the ULID sort key. Sealed
 * events carry their chain fields (`seq`, `prevHash`, `hash`).
 */
export async function listAuditEvents(scope: TenantScope, filter: AuditFilter, page: { limit: number; cursor?: string }): Promise<Page<StoredAuditEvent>> {
  return queryAuditEvents(scope.table, filter, { ...page, descending: true });
}

/**
 * Every event matching `filter`, oldest first, read page by page as the
 * consumer pulls (exports stream this without holding the trail in memory).
 * The filter is validated before the first read, so a bad one throws at once.
 */
export function allAuditEvents(table: MetadataTable, filter: AuditFilter, pageSize = 100): AsyncIterable<StoredAuditEvent> {
  auditQuery(filter);
  return {
    async *[Symbol.asyncIterator]() {
      let cursor: string | undefined;
      do {
        const page = await queryAuditEvents(table, filter, { limit: pageSize, cursor, descending: false });
        yield* page.items;
        cursor = page.cursor;
      } while (cursor);
    },
  };
}

async function queryAuditEvents(
  table: MetadataTable,
  filter: AuditFilter,
  page: { limit: number; cursor?: string; descending: boolean },
): Promise<Page<StoredAuditEvent>> {
  const result = await table.query<StoredAuditEvent & { entity?: string }>({ ...auditQuery(filter), ...page });
  return { items: result.items.map(({ entity: _e, ...event }) => event as StoredAuditEvent), cursor: result.cursor };
}

/** Which index and key range answer `filter`; throws ValidationFailed for combinations no index serves. */
function auditQuery(filter: AuditFilter): Omit<QueryRequest, 'limit' | 'cursor' | 'descending'> {
  if ((filter.targetType === undefined) !== (filter.targetId === undefined)) {
    throw new ValidationFailed('targetType and targetId go together', [{ field: 'query.targetId', problem: 'give both targetType and targetId, or neither' }]);
  }
  if (filter.actor && filter.targetType) {
    throw new ValidationFailed('filter by target or by actor, not both', [{ field: 'query.actor', problem: 'cannot combine with targetType/targetId' }]);
  }
  const range = ulidRange(filter.from, filter.to);
  if (filter.targetType && filter.targetId) return { index: 'gsi2', partition: ['AUDIT', 'TARGET', filter.targetType, filter.targetId], sortBetween: range };
  if (filter.actor) return { index: 'gsi3', partition: ['AUDIT', 'ACTOR', filter.actor], sortBetween: range };
  return { partition: ['AUDIT'], sortBetween: [`E#${range[0]}`, `E#${range[1]}`] };
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** ULIDs (lower-cased, as audit events store them) sort by time: the first 10 characters encode the millisecond. */
function ulidRange(from?: string, to?: string): [string, string] {
  const lower = from ? encodeTime(Date.parse(from)) + '0000000000000000' : '0';
  const upper = to ? encodeTime(Date.parse(to)) + 'zzzzzzzzzzzzzzzz' : 'z'.repeat(26);
  return [lower, upper];
}

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}
