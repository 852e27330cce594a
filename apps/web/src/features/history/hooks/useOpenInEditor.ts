import type { ResourceRef } from '@tandem/sync';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { parseApiResources } from '../../../api/discovery.js';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';
import { uiStore } from '../../../state/ui-store.js';
import { showView } from '../../../navigation/useAppView.js';

/**
 * Opens an object from the history in an editor tab and shows the editor. The entry names the
 * resource (plural), the tab needs its kind: discovery of the context (usually cached) maps one to the other.
 */
export function useOpenInEditor(): (ref: ResourceRef) => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(
    async (ref: ResourceRef) => {
      const resources = await queryClient.fetchQuery({
        queryKey: ['contexts', ref.context, 'discovery'],
        queryFn: ({ signal }) => getJson(gatewayPaths.discovery(ref.context), parseApiResources, signal),
        staleTime: 60_000,
      });
      const found = resources.find((r) => r.group === ref.group && r.version === ref.version && r.resource === ref.resource);
      if (found === undefined) throw new Error(`${ref.context} no longer serves ${ref.resource} (${ref.group || 'core'}/${ref.version})`);
      uiStore.getState().openResource(ref, found.kind);
      showView('browse');
    },
    [queryClient],
  );
}
