import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../../api/gateway.js';
import { parseObjectList } from '../../../api/kube-objects.js';

export function useDeployments(context: string, namespace: string) {
  return useQuery({
    queryKey: ['contexts', context, 'resources', 'apps', 'v1', 'deployments', namespace],
    queryFn: ({ signal }) =>
      getJson(
        `/api/contexts/${encodeURIComponent(context)}/resources/apps/v1/deployments?namespace=${encodeURIComponent(namespace)}`,
        parseObjectList,
        signal,
      ),
  });
}
