import { describe, expect, it } from 'vitest';
import { parseContexts } from './contexts.js';
import { browsableResources, groupResources, parseApiResources, type ApiResource } from './discovery.js';
import { parseObjectListWithVersion } from './kube-objects.js';
import { gatewayPaths } from './paths.js';

const resource = (group: string, resourceName: string, kind: string, verbs = ['get', 'list', 'watch']): ApiResource => ({
  group,
  version: 'v1',
  resource: resourceName,
  kind,
  namespaced: true,
  verbs,
  shortNames: [],
});

describe('gateway answers', () => {
  it('reads lists in both the array and the {resourceVersion, items} shape', () => {
    const items = [{ metadata: { name: 'web' } }];
    expect(parseObjectListWithVersion(items)).toEqual({ items });
    expect(parseObjectListWithVersion({ resourceVersion: '12', items })).toEqual({ items, resourceVersion: '12' });
    expect(() => parseObjectListWithVersion({ kind: 'Status' })).toThrow('not a list of Kubernetes objects');
  });

  it('reads contexts with their status and error', () => {
    const contexts = parseContexts([
      { name: 'tandem-sandbox', server: 'http://127.0.0.1:1', source: 'embedded', status: 'ok' },
      { name: 'prod', server: 'https://k8s', source: '/home/a/.kube/config', status: 'unreachable', error: 'connect ECONNREFUSED' },
    ]);
    expect(contexts.map((c) => `${c.name}:${c.status}`)).toEqual(['tandem-sandbox:ok', 'prod:unreachable']);
    expect(() => parseContexts([{ name: 'x', status: 'great' }])).toThrow("context list has an unexpected shape");
  });

  it('groups browsable kinds by API group, core first, without subresources', () => {
    const all = parseApiResources([
      resource('apps', 'deployments', 'Deployment'),
      resource('apps', 'deployments/status', 'Deployment'),
      resource('', 'pods', 'Pod'),
      resource('', 'configmaps', 'ConfigMap'),
      resource('batch', 'jobs', 'Job'),
      resource('', 'bindings', 'Binding', ['create']),
    ]);
    const groups = groupResources(browsableResources(all));
    expect(groups.map((g) => `${g.group}: ${g.resources.map((r) => r.kind).join(' ')}`)).toEqual(['core: ConfigMap Pod', 'apps: Deployment', 'batch: Job']);
  });

  it('sorts groups and kinds alphabetically whatever their case, as a person reads them', () => {
    const groups = groupResources([
      resource('storage.k8s.io', 'csidrivers', 'CSIDriver'),
      resource('storage.k8s.io', 'storageclasses', 'StorageClass'),
      resource('batch', 'cronjobs', 'CronJob'),
      resource('Zeta.example.com', 'things', 'Thing'),
      resource('storage.k8s.io', 'csinodes', 'CSINode'),
      resource('batch', 'jobs', 'Job'),
    ]);
    expect(groups.map((g) => `${g.group}: ${g.resources.map((r) => r.kind).join(' ')}`)).toEqual([
      'batch: CronJob Job',
      'storage.k8s.io: CSIDriver CSINode StorageClass',
      'Zeta.example.com: Thing',
    ]);
  });

  it('spells the core group "core" in gateway paths', () => {
    expect(gatewayPaths.list({ context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop' })).toBe(
      '/api/contexts/tandem-sandbox/resources/core/v1/configmaps?namespace=shop',
    );
    expect(gatewayPaths.schema('a b', 'apps', 'v1', 'Deployment')).toBe('/api/contexts/a%20b/schemas/apps/v1/Deployment');
  });
});
