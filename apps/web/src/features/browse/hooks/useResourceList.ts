import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ListRef } from '@tandem/sync';
import { useEffect, useMemo, useState } from 'react';
import { getJson } from '../../../api/gateway.js';
import { parseObjectListWithVersion } from '../../../api/kube-objects.js';
import { gatewayPaths } from '../../../api/paths.js';
import { useConnection } from '../../connection/hooks/useTandemClient.js';
import { sameList } from '../state/list-ref.js';

/**
 * The objects of one type (in one namespace or all), refetched whenever the gateway pushes a
 * `list:changed` for it. `liveError` says why live updates are off while the list still shows.
 */
export function useResourceList(list: ListRef) {
  const { client, epoch, state } = useConnection();
  const queryClient = useQueryClient();
  const { context, group, version, resource, namespace } = list;
  const queryKey = useMemo(() => ['contexts', context, 'list', group, version, resource, namespace ?? '*'], [context, group, version, resource, namespace]);
  // Tagged with the list it belongs to, so switching lists never shows the previous list's error.
  const [watchFailure, setWatchFailure] = useState<{ key: string; message: string } | null>(null);
  const listKey = queryKey.join('/');

  useEffect(() => {
    if (state !== 'connected') return;
    const watched: ListRef = namespace === undefined ? { context, group, version, resource } : { context, group, version, resource, namespace };
    let active = true;
    const stop = client.on('list:changed', (event) => {
      if (sameList(event.list, watched)) void queryClient.invalidateQueries({ queryKey });
    });
    client.request('list:watch', { list: watched }).then(
      // Changes between our fetch and the watch starting would be missed without this refetch.
      () => active && void queryClient.invalidateQueries({ queryKey }),
      (error: unknown) => active && setWatchFailure({ key: listKey, message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      active = false;
      stop();
      client.request('list:unwatch', { list: watched }).catch(() => undefined);
    };
  }, [client, epoch, state, queryClient, queryKey, listKey, context, group, version, resource, namespace]);

  const query = useQuery({
    queryKey,
    queryFn: ({ signal }) => getJson(gatewayPaths.list({ context, group, version, resource, ...(namespace === undefined ? {} : { namespace }) }), parseObjectListWithVersion, signal),
  });
  return { ...query, liveError: watchFailure?.key === listKey ? watchFailure.message : null };
}
