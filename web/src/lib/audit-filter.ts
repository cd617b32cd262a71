export interface AuditFilter {
  readonly targetType: string;
  readonly targetId: string;
  readonly actor: string;
  /** `datetime-local` values (no zone): read as the browser's local time. */
  readonly from: string;
  readonly to: string;
}

/** The query of GET /audit/events and /audit/export for a filter: empty fields left out, times as ISO instants. */
export function auditQuery(filter: AuditFilter): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of ['targetType', 'targetId', 'actor'] as const) {
    const value = filter[key].trim();
    if (value) query[key] = value;
  }
  for (const key of ['from', 'to'] as const) {
    if (!filter[key]) continue;
    const at = new Date(filter[key]);
    if (!Number.isNaN(at.getTime())) query[key] = at.toISOString();
  }
  return query;
}
