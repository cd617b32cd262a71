/**
 * The windowing and paging rules of CursorList, kept pure so they are tested
 * without a browser: rows are a fixed estimated height, a few rows beyond the
 * view are rendered (overscan), and the next cursor page is asked for when the
 * last rendered row comes within PREFETCH_ROWS of the rows loaded so far.
 */
export const CURSOR_LIST_OVERSCAN = 8;
export const PREFETCH_ROWS = 10;

/** The options CursorList gives the virtualizer (besides its scroll element). */
export function virtualWindowOptions(count: number, rowHeight: number) {
  return { count, estimateSize: () => rowHeight, overscan: CURSOR_LIST_OVERSCAN };
}

/** Whether to fetch the next page now: there is one, none is in flight, and the reader is near the end of what is loaded. */
export function shouldFetchNextPage(state: { hasNextPage: boolean; isFetchingNextPage: boolean; lastRenderedIndex: number; loaded: number }): boolean {
  return state.hasNextPage && !state.isFetchingNextPage && state.lastRenderedIndex >= state.loaded - PREFETCH_ROWS;
}
