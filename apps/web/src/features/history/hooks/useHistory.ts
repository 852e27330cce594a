import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useUi } from '../../../state/ui-store.js';
import { filterSearch, targetSearch, type HistoryFilters, type HistoryTarget } from '../state/history-entry.js';
import { fetchHistoryPage } from './history-api.js';

const PAGE_SIZE = 50;
const RESOURCE_PAGE_SIZE = 100;

/** The history timeline for `filters`, newest first, one page at a time ("Load more" follows `nextCursor`). */
export function useHistoryTimeline(filters: HistoryFilters) {
  const user = useUi((s) => s.user) ?? '';
  return useInfiniteQuery({
    queryKey: ['history', 'timeline', user, filters],
    queryFn: ({ pageParam, signal }) => fetchHistoryPage(user, filterSearch(filters, PAGE_SIZE, pageParam), signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor,
    retry: false,
  });
}

/** The newest entries of one object, for the editor's history panel. */
export function useResourceHistory(target: HistoryTarget, enabled: boolean) {
  const user = useUi((s) => s.user) ?? '';
  return useQuery({
    queryKey: ['history', 'resource', user, target],
    queryFn: ({ signal }) => fetchHistoryPage(user, targetSearch(target, RESOURCE_PAGE_SIZE), signal),
    enabled,
    retry: false,
  });
}
