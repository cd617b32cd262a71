import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useRef } from 'react';
import { ProblemMessage } from './problem-message';
import { Loading } from './ui';
import { shouldFetchNextPage, virtualWindowOptions } from '../lib/cursor-paging';

export interface CursorPage<T> {
  readonly items: readonly T[];
  readonly next?: string;
}

/**
 * A list of any length, paged by the API's cursor and virtualized: only the rows in
 * view are in the DOM, and the next page is fetched as the reader nears the end, so
 * 100,000 versions scroll as smoothly as 10.
 */
export function CursorList<T>({
  queryKey,
  fetchPage,
  renderRow,
  rowKey,
  label,
  rowHeight = 56,
  empty,
  header,
}: {
  queryKey: readonly unknown[];
  fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>;
  renderRow: (item: T) => ReactNode;
  rowKey: (item: T) => string;
  label: string;
  rowHeight?: number;
  empty: ReactNode;
  header?: ReactNode;
}) {
  const query = useInfiniteQuery({
    queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.next,
  });
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ ...virtualWindowOptions(items.length, rowHeight), getScrollElement: () => scroller.current });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.at(-1)?.index ?? -1;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    if (shouldFetchNextPage({ hasNextPage, isFetchingNextPage, lastRenderedIndex: lastIndex, loaded: items.length })) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, items.length]);

  if (query.isPending) return <Loading what={label} />;
  if (query.isError) return <ProblemMessage error={query.error} title={`Could not load ${label}`} />;
  if (items.length === 0) return <>{empty}</>;
  return (
    <div className="cursor-list">
      {header}
      <div ref={scroller} className="cursor-list-scroll" role="region" aria-label={label} tabIndex={0}>
        <ul style={{ height: virtualizer.getTotalSize(), position: 'relative' }} aria-label={label}>
          {virtualItems.map((row) => {
            const item = items[row.index];
            return (
              <li
                key={rowKey(item)}
                className="cursor-row"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}
                aria-setsize={hasNextPage ? -1 : items.length}
                aria-posinset={row.index + 1}
              >
                {renderRow(item)}
              </li>
            );
          })}
        </ul>
      </div>
      <p className="hint" role="status">
        {items.length} shown{hasNextPage ? ', more load as you scroll' : ''}
        {isFetchingNextPage ? ' · loading…' : ''}
      </p>
    </div>
  );
}
