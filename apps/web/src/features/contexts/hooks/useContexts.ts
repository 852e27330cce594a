import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ContextInfo } from '@tandem/sync';
import { useEffect } from 'react';
import { contextsPath, parseContexts } from '../../../api/contexts.js';
import { getJson } from '../../../api/gateway.js';
import { uiStore } from '../../../state/ui-store.js';
import { useTandemClient } from '../../connection/hooks/useTandemClient.js';

export const contextsQueryKey = ['contexts'] as const;

/** The gateway's contexts: fetched once, then kept current by `contexts:changed` pushes (no polling). */
export function useContexts() {
  const client = useTandemClient();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      client.on('contexts:changed', (event) => {
        queryClient.setQueryData<ContextInfo[]>(contextsQueryKey, [...event.contexts]);
        if (event.removed.length > 0) uiStore.getState().contextsRemoved(event.removed);
        // A changed context may point at another server or user: what we listed from it is stale.
        for (const name of [...event.changed, ...event.removed]) void queryClient.invalidateQueries({ queryKey: ['contexts', name] });
      }),
    [client, queryClient],
  );
  return useQuery({
    queryKey: contextsQueryKey,
    queryFn: ({ signal }) => getJson(contextsPath, parseContexts, signal),
  });
}
