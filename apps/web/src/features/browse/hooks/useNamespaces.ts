import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../../api/gateway.js';
import { parseObjectList } from '../../../api/kube-objects.js';
import { gatewayPaths } from '../../../api/paths.js';

export function useNamespaces(context: string) {
  return useQuery({
    queryKey: ['contexts', context, 'namespaces'],
    queryFn: ({ signal }) => getJson(gatewayPaths.namespaces(context), parseObjectList, signal),
  });
}
