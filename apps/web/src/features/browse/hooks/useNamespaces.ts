import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../../api/gateway.js';
import { parseObjectList } from '../../../api/kube-objects.js';

export function useNamespaces(context: string) {
  return useQuery({
    queryKey: ['contexts', context, 'namespaces'],
    queryFn: ({ signal }) => getJson(`/api/contexts/${encodeURIComponent(context)}/namespaces`, parseObjectList, signal),
  });
}
