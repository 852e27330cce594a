/**
 * The one resource table of the sandbox: routing, discovery and OpenAPI all derive from it,
 * so a kind served at one URL is also advertised, documented and watchable.
 */
export interface ResourceType {
  /** API group; '' is the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  /** Plural resource name used in URLs and in Status `details.kind`. */
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Has a `status` subresource: writes to the main resource keep status, and vice versa. */
  readonly hasStatus: boolean;
  /** Has a `spec`: changes to it bump `metadata.generation`. */
  readonly hasSpec: boolean;
}

const all = ['all'];

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], categories: [], hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: all, hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: all, hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true, shortNames: [], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'events', singularName: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], categories: [], hasStatus: false, hasSpec: false },
  { group: 'apps', version: 'v1', name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: all, hasStatus: true, hasSpec: true },
  { group: 'apps', version: 'v1', name: 'replicasets', singularName: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: all, hasStatus: true, hasSpec: true },
  { group: 'apps', version: 'v1', name: 'statefulsets', singularName: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: all, hasStatus: true, hasSpec: true },
];

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `deployments.apps`, or `configmaps` for the core group: how the API server names a resource in messages. */
export function qualifiedName(type: ResourceType): string {
  return type.group === '' ? type.name : `${type.name}.${type.group}`;
}

export interface GroupVersion {
  readonly group: string;
  readonly version: string;
  readonly resources: readonly ResourceType[];
}

/** Group-versions in table order (core first). */
export function groupVersions(): GroupVersion[] {
  const byKey = new Map<string, GroupVersion & { resources: ResourceType[] }>();
  for (const type of RESOURCE_TYPES) {
    const key = apiVersionOf(type);
    const entry = byKey.get(key) ?? { group: type.group, version: type.version, resources: [] };
    entry.resources.push(type);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

export function findResourceType(group: string, version: string, name: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.name === name);
}

export function findResourceTypeByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}
