import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ListChanged, ListRef } from '@tandem/sync';
import { useEffect, useMemo, useRef, useState } from 'react';
import { getJson } from '../../../api/gateway.js';
import { parseObjectListWithVersion, type ObjectList } from '../../../api/kube-objects.js';
import { gatewayPaths } from '../../../api/paths.js';
import { useConnection } from '../../connection/hooks/useTandemClient.js';
import { applyListChanges } from '../state/list-changes.js';
import { sameList } from '../state/list-ref.js';

/** Watch deltas are written to the cache at most this often: a controller touching many objects at once redraws the list once. */
export const LIST_WRITE_MS = 50;

/**
 * The objects of one type (in one namespace or all), kept current by the gateway's `list:changed`
 * pushes, which are merged into the cached list (`setQueryData`) instead of reading it again.
 * `liveError` says why live updates are off while the list still shows.
 */
export function useResourceList(list: ListRef) {
  const { client, epoch, state } = useConnection();
  const queryClient = useQueryClient();
  const { context, group, version, resource, namespace } = list;
  const queryKey = useMemo(() => ['contexts', context, 'list', group, version, resource, namespace ?? '*'], [context, group, version, resource, namespace]);
  // Tagged with the list it belongs to, so switching lists never shows the previous list's error.
  const [watchFailure, setWatchFailure] = useState<{ key: string; message: string } | null>(null);
  const listKey = queryKey.join('/');
  // Reads in flight, each with the deltas that arrived since it started: they are applied to what it read.
  const reads = useRef(new Set<ListChanged[]>());

  useEffect(() => {
    if (state !== 'connected') return;
    const watched: ListRef = namespace === undefined ? { context, group, version, resource } : { context, group, version, resource, namespace };
    let active = true;
    let queued: ListChanged[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const write = (): void => {
      timer = undefined;
      const changes = queued;
      queued = [];
      queryClient.setQueryData<ObjectList>(queryKey, (current) => (current === undefined ? undefined : applyListChanges(current, changes)));
    };
    const stop = client.on('list:changed', (event) => {
      if (!sameList(event.list, watched)) return;
      for (const read of reads.current) read.push(event);
      queued.push(event);
      timer ??= setTimeout(write, LIST_WRITE_MS);
    });
    client.request('list:watch', { list: watched }).then(
      // Changes between the first read and the watch starting would be missed without one more read.
      () => active && void queryClient.invalidateQueries({ queryKey }),
      (error: unknown) => active && setWatchFailure({ key: listKey, message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      active = false;
      stop();
      clearTimeout(timer);
      client.request('list:unwatch', { list: watched }).catch(() => undefined);
    };
  }, [client, epoch, state, queryClient, queryKey, listKey, context, group, version, resource, namespace]);

  const query = useQuery({
    queryKey,
    queryFn: async ({ signal }) => {
      const seen: ListChanged[] = [];
      reads.current.add(seen);
      try {
        const read = await getJson(gatewayPaths.list({ context, group, version, resource, ...(namespace === undefined ? {} : { namespace }) }), parseObjectListWithVersion, signal);
        // The answer may predate deltas that arrived while it was on its way.
        return applyListChanges(read, seen);
      } finally {
        reads.current.delete(seen);
      }
    },
  });
  return { ...query, liveError: watchFailure?.key === listKey ? watchFailure.message : null };
}
