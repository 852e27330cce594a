import { shapeOfKind } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { patchError } from './test-support.js';
import { PatchError } from './patch-error.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

const deploymentShape = shapeOfKind('apps/v1', 'Deployment');
const podShape = shapeOfKind('v1', 'Pod');
const serviceShape = shapeOfKind('v1', 'Service');

function deployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' }, finalizers: ['a.example/x', 'b.example/y'] },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'nginx:2',
              env: [
                { name: 'MODE', value: 'prod' },
                { name: 'LEVEL', value: 'info' },
              ],
              ports: [
                { containerPort: 80, name: 'http' },
                { containerPort: 443, name: 'https' },
              ],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k1', operator: 'Exists' }],
        },
      },
    },
  };
}

type Container = { name: string; image?: string; env?: { name: string; value?: string }[]; ports?: { containerPort: number; name?: string; protocol?: string }[] };
const podSpecOf = (object: Record<string, unknown>) =>
  (object as { spec: { template: { spec: { containers: Container[]; volumes: Record<string, unknown>[]; tolerations: unknown[] } } } }).spec.template.spec;
const containersOf = (object: Record<string, unknown>) => podSpecOf(object).containers;

function expectPatchError(run: () => unknown, code: number): PatchError {
  const error = patchError(run);
  expect(error.code).toBe(code);
  return error;
}

describe(applyStrategicMergePatch.name, () => {
  it("applies kubectl edit's body by changing only that container's image", () => {
    const before = deployment();
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ image: 'nginx:3', name: 'c' }] } } } };
    const after = applyStrategicMergePatch(before, patch, deploymentShape);

    const expected = deployment();
    const [first, second] = containersOf(expected);
    if (!first || !second) throw new Error('fixture has two containers');
    first.image = 'nginx:3';
    // `$setElementOrder` names only c; the sidecar keeps its place after it.
    expect(after).toEqual(expected);
    expect(containersOf(after).map((c) => c.name)).toEqual(['c', 'sidecar']);
  });

  it('changes one env var by name and keeps the others', () => {
    const patch = {
      spec: { template: { spec: { containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'MODE' }, { name: 'LEVEL' }], env: [{ name: 'LEVEL', value: 'debug' }] }] } } },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after)[0]?.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'LEVEL', value: 'debug' },
    ]);
    expect(containersOf(after)[1]).toEqual({ name: 'sidecar', image: 'envoy:1' });
  });

  it('adds an env var at the place $setElementOrder gives it', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'MODE' }, { name: 'NEW' }, { name: 'LEVEL' }], env: [{ name: 'NEW', value: '1' }] }],
          },
        },
      },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after)[0]?.env?.map((e) => e.name)).toEqual(['MODE', 'NEW', 'LEVEL']);
  });

  it('puts an item added without $setElementOrder before the live items, as the API server does', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'NEW', value: '1' }] }] } } } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after)[0]?.env?.map((e) => e.name)).toEqual(['NEW', 'MODE', 'LEVEL']);
  });

  it('merges container ports by containerPort', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 443, protocol: 'TCP' }] }] } } } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after)[0]?.ports).toEqual([
      { containerPort: 80, name: 'http' },
      { containerPort: 443, name: 'https', protocol: 'TCP' },
    ]);
  });

  it('merges service ports by port', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81 }] } };
    const after = applyStrategicMergePatch(service, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, serviceShape);
    expect(after['spec']).toEqual({ ports: [{ port: 80, targetPort: 9090 }, { port: 81 }] });
  });

  it('swaps a volume source with $retainKeys, leaving no trace of the old one', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
          },
        },
      },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(podSpecOf(after).volumes).toEqual([{ name: 'data', configMap: { name: 'cfg' } }]);
  });

  it('switches the deployment strategy with $retainKeys', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect((after['spec'] as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });
  });

  it('rejects a $retainKeys list that omits a field the patch sets (422)', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 2 } } } };
    expectPatchError(() => applyStrategicMergePatch(deployment(), patch, deploymentShape), 422);
  });

  it('deletes a container with $patch: delete (as kubectl edit sends it)', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after).map((c) => c.name)).toEqual(['c']);
    expect(containersOf(after)[0]?.image).toBe('nginx:2');
  });

  it('replaces a keyed list with $patch: replace', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox' }, { $patch: 'replace' }] } } } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(containersOf(after)).toEqual([{ name: 'only', image: 'busybox' }]);
  });

  it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
    const replaced = applyStrategicMergePatch(deployment(), { metadata: { labels: { $patch: 'replace', only: 'this' } } }, deploymentShape);
    expect((replaced['metadata'] as { labels: unknown }).labels).toEqual({ only: 'this' });

    const deleted = applyStrategicMergePatch(deployment(), { metadata: { labels: { $patch: 'delete' } } }, deploymentShape);
    expect((deleted['metadata'] as { labels: unknown }).labels).toEqual({});
  });

  it('removes a finalizer with $deleteFromPrimitiveList and adds another as a set', () => {
    const patch = { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example/x'], finalizers: ['c.example/z', 'b.example/y'] } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    const finalizers = (after['metadata'] as { finalizers: string[] }).finalizers;
    expect([...finalizers].sort()).toEqual(['b.example/y', 'c.example/z']);
  });

  it('keeps finalizers in $setElementOrder order', () => {
    const patch = {
      metadata: { '$setElementOrder/finalizers': ['b.example/y', 'c.example/z'], '$deleteFromPrimitiveList/finalizers': ['a.example/x'], finalizers: ['c.example/z'] },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect((after['metadata'] as { finalizers: string[] }).finalizers).toEqual(['b.example/y', 'c.example/z']);
  });

  it('deletes a key with null and replaces atomic lists whole', () => {
    const patch = { metadata: { labels: { tier: null } }, spec: { template: { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }] } } } };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect((after['metadata'] as { labels: unknown }).labels).toEqual({ app: 'web' });
    expect(podSpecOf(after).tolerations).toEqual([{ key: 'k2', operator: 'Exists' }]);
  });

  it('replaces lists of fields the table does not know', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } };
    const after = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'c', args: ['z'] }] } }, podShape);
    expect(after['spec']).toEqual({ containers: [{ name: 'c', args: ['z'] }] });
  });

  it('never leaks directives into new values', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'new', image: 'redis', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A', value: '1' }] }],
            nodeSelector: { $patch: 'replace', disk: 'ssd' },
          },
        },
      },
    };
    const after = applyStrategicMergePatch(deployment(), patch, deploymentShape);
    expect(JSON.stringify(after)).not.toContain('$');
    expect(containersOf(after).find((c) => c.name === 'new')).toEqual({ name: 'new', image: 'redis', env: [{ name: 'A', value: '1' }] });
  });

  it('rejects unknown directives and patch types with 400', () => {
    expectPatchError(() => applyStrategicMergePatch(deployment(), { metadata: { $frobnicate: true } }, deploymentShape), 400);
    expectPatchError(() => applyStrategicMergePatch(deployment(), { metadata: { labels: { $patch: 'explode' } } }, deploymentShape), 400);
    expectPatchError(
      () => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'c', $patch: 'explode' }] } } } }, deploymentShape),
      400,
    );
  });

  it('rejects a keyed list item without its merge key (400)', () => {
    const error = expectPatchError(
      () => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deploymentShape),
      400,
    );
    expect(error.message).toContain('does not contain declared merge key: name');
  });

  it('rejects a patch list whose order contradicts $setElementOrder (400)', () => {
    const patch = {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ name: 'sidecar', image: 'envoy:2' }] } } },
    };
    expectPatchError(() => applyStrategicMergePatch(deployment(), patch, deploymentShape), 400);
  });

  it('mutates neither the object nor the patch', () => {
    const before = deployment();
    const patch = {
      metadata: { labels: { tier: null }, '$deleteFromPrimitiveList/finalizers': ['a.example/x'] },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
    };
    const beforeCopy = structuredClone(before);
    const patchCopy = structuredClone(patch);
    applyStrategicMergePatch(before, patch, deploymentShape);
    expect(before).toEqual(beforeCopy);
    expect(patch).toEqual(patchCopy);
  });
});
