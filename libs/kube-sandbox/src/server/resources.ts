import { apiVersionOf } from '@tandem/sync';

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
  /** Has a `scale` subresource (autoscaling/v1 Scale) reading and writing these fields. */
  readonly scale?: ScaleSubresource;
  /** Served from a CustomResourceDefinition rather than built in. */
  readonly custom?: CustomResource;
}

/** Where a kind keeps what its `scale` subresource shows, as a CRD's `subresources.scale` states it. */
export interface ScaleSubresource {
  /** JSON path of the desired replicas, e.g. `.spec.replicas`. */
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  /** JSON path of the selector: a LabelSelector object for built-in kinds, a selector string for custom ones. */
  readonly labelSelectorPath?: string;
}

/** What a custom resource's type carries from its CustomResourceDefinition. */
export interface CustomResource {
  /** The CRD's name (`widgets.example.com`). */
  readonly definition: string;
  /** The version's `schema.openAPIV3Schema`, if any. */
  readonly schema?: Record<string, unknown>;
}

const all = ['all'];
const workloadScale: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], categories: [], hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: all, hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: all, hasStatus: true, hasSpec: true },
  { group: '', version: 'v1', name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true, shortNames: [], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'serviceaccounts', singularName: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], categories: [], hasStatus: false, hasSpec: false },
  { group: '', version: 'v1', name: 'events', singularName: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], categories: [], hasStatus: false, hasSpec: false },
  { group: 'apps', version: 'v1', name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], categories: all, hasStatus: true, hasSpec: true, scale: workloadScale },
  { group: 'apps', version: 'v1', name: 'replicasets', singularName: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], categories: all, hasStatus: true, hasSpec: true, scale: workloadScale },
  { group: 'apps', version: 'v1', name: 'statefulsets', singularName: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: all, hasStatus: true, hasSpec: true, scale: workloadScale },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    name: 'customresourcedefinitions',
    singularName: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    hasStatus: true,
    hasSpec: true,
  },
];

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

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
export function groupVersions(types: readonly ResourceType[] = RESOURCE_TYPES): GroupVersion[] {
  const byKey = new Map<string, GroupVersion & { resources: ResourceType[] }>();
  for (const type of types) {
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

/** The same resource, whatever version it is served at (custom resources may be served at several). */
export function sameResource(a: Pick<ResourceType, 'group' | 'name'>, b: Pick<ResourceType, 'group' | 'name'>): boolean {
  return a.group === b.group && a.name === b.name;
}

/**
 * The resources one sandbox serves: the built-in table, and the custom resources its
 * CustomResourceDefinitions define (each sandbox has its own).
 */
export class ResourceRegistry {
  private custom: ResourceType[] = [];

  all(): readonly ResourceType[] {
    return [...RESOURCE_TYPES, ...this.custom];
  }

  find(group: string, version: string, name: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.name === name);
  }

  /** Any served version of a resource, for storage keys that do not name the version. */
  findAnyVersion(group: string, name: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.name === name);
  }

  groupVersions(): GroupVersion[] {
    return groupVersions(this.all());
  }

  /** Serves `types` for the CRD `definition` (replacing what it served before). */
  define(definition: string, types: readonly ResourceType[]): void {
    this.custom = [...this.custom.filter((t) => t.custom?.definition !== definition), ...types];
  }

  forget(definition: string): void {
    this.custom = this.custom.filter((t) => t.custom?.definition !== definition);
  }
}
