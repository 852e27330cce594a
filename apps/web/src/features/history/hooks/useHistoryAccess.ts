import { useQuery } from '@tanstack/react-query';
import { useUi } from '../../../state/ui-store.js';
import { fetchHistoryAccess } from './history-api.js';

/** Whether the signed-in user may read the edit history: `checking` until the gateway answers. */
export type HistoryAccess = 'checking' | 'admin' | 'forbidden' | 'unavailable';

/** Asks the gateway once per user (`GET /api/history-access`). */
export function useHistoryAccess(): HistoryAccess {
  const user = useUi((s) => s.user);
  const query = useQuery({
    queryKey: ['history', 'access', user],
    enabled: user !== null,
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: async ({ signal }): Promise<HistoryAccess> => ((await fetchHistoryAccess(user ?? '', signal)) ? 'admin' : 'forbidden'),
  });
  if (query.data !== undefined) return query.data;
  return query.isError ? 'unavailable' : 'checking';
}
