import { groupSegment } from './discovery.js';

const enc = encodeURIComponent;

/** Which resource type, in which context and namespace, a list shows. */
export interface ResourceTypeRef {
  context: string;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
}

export const gatewayPaths = {
  namespaces: (context: string) => `/api/contexts/${enc(context)}/namespaces`,
  discovery: (context: string) => `/api/contexts/${enc(context)}/resources`,
  list: ({ context, group, version, resource, namespace }: ResourceTypeRef) =>
    `/api/contexts/${enc(context)}/resources/${enc(groupSegment(group))}/${enc(version)}/${enc(resource)}` +
    (namespace === undefined ? '' : `?namespace=${enc(namespace)}`),
  access: (context: string, query: { verb: string; group: string; resource: string; namespace?: string | undefined; name?: string | undefined }) =>
    `/api/contexts/${enc(context)}/access?` +
    new URLSearchParams({
      verb: query.verb,
      group: groupSegment(query.group),
      resource: query.resource,
      ...(query.namespace !== undefined && query.namespace !== '' ? { namespace: query.namespace } : {}),
      ...(query.name !== undefined ? { name: query.name } : {}),
    }).toString(),
  me: () => '/auth/me',
  admission: () => '/api/admission',
  schema: (context: string, group: string, version: string, kind: string) =>
    `/api/contexts/${enc(context)}/schemas/${enc(groupSegment(group))}/${enc(version)}/${enc(kind)}`,
} as const;
