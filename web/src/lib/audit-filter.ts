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

/**
 * What the API would refuse in a filter (core/audit/audit-trail.ts), said next to the
 * field before anything is sent: a target needs its type and id together, and a
 * search is by target or by actor, not both.
 */
export function auditFilterProblems(filter: AuditFilter): Partial<Record<keyof AuditFilter, string>> {
  const problems: Partial<Record<keyof AuditFilter, string>> = {};
  const type = filter.targetType.trim();
  const id = filter.targetId.trim();
  if (type && !id) problems.targetId = 'Give the target id too (e.g. the model id and version, modelId-1), or clear the target type.';
  if (id && !type) problems.targetType = 'Give the target type too (e.g. version), or clear the target id.';
  if (filter.actor.trim() && (type || id)) problems.actor = 'Search by target or by actor, not both: clear one of them.';
  if (filter.from && filter.to && new Date(filter.from) > new Date(filter.to)) problems.to = '“To” is before “From”.';
  return problems;
}
