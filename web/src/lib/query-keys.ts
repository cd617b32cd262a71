/** Filters of the model search as the API takes them: a name prefix and at most one other field. */
export const MODEL_FILTER_FIELDS = ['projectId', 'type', 'framework', 'owner', 'tag'] as const;
export type ModelFilterField = (typeof MODEL_FILTER_FIELDS)[number];

export interface ModelFilter {
  readonly namePrefix: string;
  readonly field?: ModelFilterField;
  readonly value: string;
}

/** The query string of GET /models for a filter, leaving out what is empty. */
export function modelSearchQuery(filter: ModelFilter): Record<string, string> {
  const query: Record<string, string> = {};
  if (filter.namePrefix.trim()) query.namePrefix = filter.namePrefix.trim();
  if (filter.field && filter.value.trim()) query[filter.field] = filter.value.trim();
  return query;
}
