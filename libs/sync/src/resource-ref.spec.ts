import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apiVersionOf,
  groupVersionPath,
  isCoreGroup,
  listKey,
  listRefOf,
  namespaceOf,
  parseResourceKey,
  ResourceKeyError,
  resourceKey,
  resourceRefIn,
  ResourceRefSchema,
  resourceTypeOf,
  sameResource,
  type ResourceListRef,
  type ResourceRef,
} from './resource-ref.js';

const anyText = fc.string({ unit: 'binary', maxLength: 20 });
const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
const arbRef: fc.Arbitrary<ResourceRef> = fc
  .record({ context: nonEmpty, group: anyText, version: nonEmpty, resource: nonEmpty, namespace: fc.option(nonEmpty, { nil: undefined }), name: nonEmpty })
  .map(({ namespace, ...rest }) => (namespace === undefined ? rest : { ...rest, namespace }));

const web: ResourceRef = { context: 'prod', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

describe('resource keys', () => {
  it('reads as context/group/version/resource/namespace/name', () => {
    expect(resourceKey(web)).toBe('prod/apps/v1/deployments/shop/web');
    expect(resourceKey({ context: 'kind-dev', group: '', version: 'v1', resource: 'namespaces', name: 'shop' })).toBe('kind-dev//v1/namespaces//shop');
  });

  it('round-trips every ref, whatever characters its parts contain', () => {
    fc.assert(
      fc.property(arbRef, (ref) => {
        expect(parseResourceKey(resourceKey(ref))).toEqual(ref);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives different refs different keys', () => {
    fc.assert(
      fc.property(arbRef, arbRef, (a, b) => {
        expect(sameResource(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
    );
    expect(resourceKey({ ...web, context: 'a/b', name: 'c' })).not.toBe(resourceKey({ ...web, context: 'a', name: 'b/c' }));
  });

  it.each([
    ['prod/apps/v1/deployments/web', /expected 6/],
    ['prod/apps/v1/deployments/shop/%E0%A4%A', /malformed %-escape/],
    ['prod/apps/v1/deployments/shop/', /name part is empty/],
    ['prod/apps/v1/deployments/shop/w%65b', /canonical/],
  ])('rejects %s', (key, reason) => {
    expect(() => parseResourceKey(key)).toThrow(ResourceKeyError);
    expect(() => parseResourceKey(key)).toThrow(reason);
  });
});

describe('ResourceRefSchema', () => {
  it('accepts namespaced, cluster-scoped, core and RBAC-style refs', () => {
    expect(ResourceRefSchema.parse(web)).toEqual(web);
    expect(ResourceRefSchema.safeParse({ context: 'kind-dev', group: '', version: 'v1', resource: 'pods', namespace: 'kube-system', name: 'coredns-5d78c9869d-abcde' }).success).toBe(true);
    expect(ResourceRefSchema.safeParse({ context: 'prod', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'system:aggregate-to-admin' }).success).toBe(true);
  });

  it.each([
    [{ ...web, namespace: 'Shop' }, 'namespace must be a lowercase DNS label'],
    [{ ...web, name: 'a/b' }, "name must not contain '/'"],
    [{ ...web, name: '..' }, "name must not be '.' or '..'"],
    [{ ...web, group: 'Apps' }, "group must be '' (core) or a lowercase DNS subdomain"],
    [{ ...web, version: '' }, 'version must be a lowercase DNS label'],
    [{ ...web, context: '' }, 'context must not be empty'],
    [{ ...web, kind: 'Deployment' }, 'Unrecognized key'],
  ])('rejects %j with a message naming the field', (input, message) => {
    const result = ResourceRefSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});

describe('ref conversions', () => {
  const clusterRole: ResourceRef = { context: 'prod', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'view' };
  const configMap: ResourceRef = { context: 'prod', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'settings' };

  it('names the core group by an empty group or by `core`, and only those', () => {
    expect(isCoreGroup('')).toBe(true);
    expect(isCoreGroup('core')).toBe(true);
    expect(isCoreGroup('apps')).toBe(false);
  });

  it('gives the apiVersion objects carry: the bare version for the core group, else group/version', () => {
    expect(apiVersionOf(web)).toBe('apps/v1');
    expect(apiVersionOf(configMap)).toBe('v1');
    expect(apiVersionOf({ group: 'core', version: 'v1' })).toBe('v1');
    expect(apiVersionOf(clusterRole)).toBe('rbac.authorization.k8s.io/v1');
  });

  it('gives the path a group-version is served under', () => {
    expect(groupVersionPath(web)).toBe('apis/apps/v1');
    expect(groupVersionPath(configMap)).toBe('api/v1');
    expect(groupVersionPath({ group: 'core', version: 'v1' })).toBe('api/v1');
  });

  it('reads an empty namespace as none', () => {
    expect(namespaceOf(web)).toBe('shop');
    expect(namespaceOf(clusterRole)).toBeUndefined();
    expect(namespaceOf({ ...clusterRole, namespace: '' })).toBeUndefined();
  });

  it('keeps only the resource type for a cluster client', () => {
    expect(resourceTypeOf(web)).toEqual({ group: 'apps', version: 'v1', resource: 'deployments' });
  });

  it('gives the list an object belongs to, without its name, and without an empty namespace', () => {
    expect(listRefOf(web)).toEqual({ context: 'prod', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop' });
    expect(listRefOf(clusterRole)).toEqual({ context: 'prod', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' });
    const clusterWide: ResourceListRef = { context: 'prod', group: 'apps', version: 'v1', resource: 'deployments', namespace: '' };
    expect(listRefOf(clusterWide)).toEqual({ context: 'prod', group: 'apps', version: 'v1', resource: 'deployments' });
    expect(Object.keys(listRefOf(clusterWide))).not.toContain('namespace');
  });

  it('names an object of a list, in its own namespace or else the list\'s', () => {
    const shopDeployments = listRefOf(web);
    expect(resourceRefIn(shopDeployments, 'web')).toEqual(web);
    const allDeployments = listRefOf({ ...web, namespace: '' });
    expect(resourceRefIn(allDeployments, 'web', 'shop')).toEqual(web);
    expect(resourceRefIn(allDeployments, 'web', '')).toEqual({ context: 'prod', group: 'apps', version: 'v1', resource: 'deployments', name: 'web' });
    expect(resourceRefIn(listRefOf(clusterRole), 'view')).toEqual(clusterRole);
  });

  it('round-trips every ref through its list', () => {
    fc.assert(
      fc.property(arbRef, (ref) => {
        expect(resourceRefIn(listRefOf(ref), ref.name, ref.namespace)).toEqual(ref);
      }),
    );
  });

  it('keys a list as its objects\' key without the name, so that an empty namespace and none are the same list', () => {
    expect(listKey(listRefOf(web))).toBe('prod/apps/v1/deployments/shop');
    expect(listKey(listRefOf(configMap))).toBe('prod//v1/configmaps/shop');
    expect(listKey({ context: 'prod', group: 'apps', version: 'v1', resource: 'deployments', namespace: '' })).toBe('prod/apps/v1/deployments/');
    expect(listKey({ context: 'prod', group: 'apps', version: 'v1', resource: 'deployments' })).toBe('prod/apps/v1/deployments/');
    expect(listKey({ ...listRefOf(web), context: 'a/b', group: 'c' })).not.toBe(listKey({ ...listRefOf(web), context: 'a', group: 'b/c' }));
    fc.assert(
      fc.property(arbRef, (ref) => {
        expect(resourceKey(ref).startsWith(`${listKey(ref)}/`)).toBe(true);
      }),
    );
  });
});
