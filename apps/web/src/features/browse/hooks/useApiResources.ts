import { useQuery } from '@tanstack/react-query';
import { browsableResources, groupResources, parseApiResources } from '../../../api/discovery.js';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';

/** The kinds a context serves (discovery), grouped by API group for the sidebar. */
export function useApiResources(context: string) {
  return useQuery({
    queryKey: ['contexts', context, 'discovery'],
    queryFn: ({ signal }) => getJson(gatewayPaths.discovery(context), parseApiResources, signal),
    select: (resources) => groupResources(browsableResources(resources)),
    staleTime: 60_000,
  });
}
