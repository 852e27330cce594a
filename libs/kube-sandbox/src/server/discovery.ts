import { createHash } from 'node:crypto';
import { apiVersionOf } from '@tandem/sync';
import { VERBS, type GroupVersion, type ResourceRegistry, type ResourceType } from './resources.js';

/** The Kubernetes release the sandbox claims to be; kubectl's dispatcher picks its binary by the minor. */
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-12-11T00:00:00Z',
  goVersion: 'go1.23.3',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function storageVersionHash(type: ResourceType): string {
  return createHash('sha256').update(`${apiVersionOf(type)}/${type.kind}`).digest('base64').slice(0, 11);
}

/** Namespaces take no deletecollection; custom resources list their verbs in the apiextensions server's order. */
function verbsOf(type: ResourceType): string[] {
  if (type.custom !== undefined) return ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
  if (type.group === '' && type.name === 'namespaces') return VERBS.filter((verb) => verb !== 'deletecollection');
  return [...VERBS];
}

/** `GET /api`: the core group's versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `GET /apis`: every named group. */
export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const byName = new Map<string, { groupVersion: string; version: string }[]>();
  for (const gv of registry.groupVersions()) {
    if (gv.group === '') continue;
    byName.set(gv.group, [...(byName.get(gv.group) ?? []), { groupVersion: apiVersionOf(gv), version: gv.version }]);
  }
  const groups = [...byName.entries()].map(([name, versions]) => ({ name, versions, preferredVersion: versions[0] }));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /api/v1`, `GET /apis/<group>/<version>`: resources with their `/status` subresources. */
export function apiResourceList(gv: GroupVersion): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const type of gv.resources) {
    resources.push({
      name: type.name,
      singularName: type.singularName,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: verbsOf(type),
      ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
      ...(type.categories.length > 0 ? { categories: [...type.categories] } : {}),
      storageVersionHash: storageVersionHash(type),
    });
    if (type.hasStatus) {
      resources.push({ name: `${type.name}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] });
    }
    if (type.scale !== undefined) {
      resources.push({ name: `${type.name}/scale`, singularName: '', namespaced: type.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(gv), resources };
}

export function findGroupVersion(registry: ResourceRegistry, group: string, version: string): GroupVersion | undefined {
  return registry.groupVersions().find((gv) => gv.group === group && gv.version === version);
}
