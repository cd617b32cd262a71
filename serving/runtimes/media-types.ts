import { NotAcceptable } from './runtime-errors';

/** `text/CSV; charset=utf-8` → `text/csv`; undefined or blank stays undefined. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/**
 * Picks the response type from an Accept header: the first listed type (by q,
 * then order) the runtime can write; `*\/*`, `text/*` and a missing header fall
 * back to the runtime's first type.
 *
 * @example
 * negotiate('text/csv;q=0.5, application/json', ['application/json', 'text/csv']) // 'application/json'
 */
export function negotiate<T extends string>(accept: string | undefined, supported: readonly [T, ...T[]]): T {
  if (!accept || !accept.trim()) return supported[0];
  // What the SDK sends on every scoring call (`Accept: application/json`): one supported type, nothing to weigh.
  if ((supported as readonly string[]).includes(accept)) return accept as T;
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { type: type ?? '', quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((r) => r.type && r.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    if (range.type === '*/*') return supported[0];
    const exact = supported.find((s) => s === range.type);
    if (exact) return exact;
    if (range.type.endsWith('/*')) {
      const family = range.type.slice(0, -1);
      const match = supported.find((s) => s.startsWith(family));
      if (match) return match;
    }
  }
  throw new NotAcceptable(accept, supported);
}
