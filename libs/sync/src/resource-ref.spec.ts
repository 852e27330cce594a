import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResourceKey, ResourceKeyError, resourceKey, ResourceRefSchema, sameResource, type ResourceRef } from './resource-ref.js';

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
