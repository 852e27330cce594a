import { useQuery } from '@tanstack/react-query';
import type { ResourceRef } from '@tandem/sync';
import { z } from 'zod';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';

const decisionSchema = z.object({ allowed: z.boolean(), reason: z.string() });

/**
 * Whether the signed-in user may update this object, as the cluster's RBAC answers a
 * SelfSubjectAccessReview made as them: the reason to show when not, or null.
 */
export function useUpdateDenied(ref: ResourceRef): string | null {
  const query = useQuery({
    queryKey: ['contexts', ref.context, 'access', 'update', ref.group, ref.resource, ref.namespace ?? '', ref.name],
    queryFn: ({ signal }) =>
      getJson(
        gatewayPaths.access(ref.context, { verb: 'update', group: ref.group, resource: ref.resource, namespace: ref.namespace, name: ref.name }),
        (body) => decisionSchema.parse(body),
        signal,
      ),
    staleTime: 30_000,
    retry: false,
  });
  if (query.data === undefined || query.data.allowed) return null;
  return query.data.reason === '' ? 'The cluster does not let you update this object' : `The cluster does not let you save this: ${query.data.reason}`;
}
