import { useQuery } from '@tanstack/react-query';
import { GatewayError } from '../../../api/gateway.js';
import { useUi } from '../../../state/ui-store.js';
import { fetchHistoryPage } from './history-api.js';

/** Whether the signed-in user may read the edit history: `checking` until the gateway answers. */
export type HistoryAccess = 'checking' | 'admin' | 'forbidden' | 'unavailable';

/** Asks the gateway once per user: a 403 (or 401) to `GET /api/history?limit=1` means not an admin. */
export function useHistoryAccess(): HistoryAccess {
  const user = useUi((s) => s.user);
  const query = useQuery({
    queryKey: ['history', 'access', user],
    enabled: user !== null,
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: async ({ signal }): Promise<HistoryAccess> => {
      try {
        await fetchHistoryPage(user ?? '', 'limit=1', signal);
        return 'admin';
      } catch (error) {
        if (error instanceof GatewayError && (error.status === 403 || error.status === 401)) return 'forbidden';
        throw error;
      }
    },
  });
  if (query.data !== undefined) return query.data;
  return query.isError ? 'unavailable' : 'checking';
}
