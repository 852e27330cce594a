import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, valueAtPath } from './apply.js';
import { BOOKKEEPING_PATHS, diffFields, isBookkeepingOnly } from './diff.js';
import { cloneJson, jsonEqual, setKey, type JsonObject } from './json.js';
import { arbEdit, arbKubeObject } from './test-support/arbitraries.js';

const everything = { ignore: [] };

function deployment(spec: JsonObject, metadata: JsonObject = { name: 'web' }): JsonObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
}
const podSpec = (containers: JsonObject[], extra: JsonObject = {}): JsonObject => ({ template: { spec: { containers, ...extra } } });

describe('diffFields', () => {
  it('reports each added annotation as its own add, quoting keys with dots and slashes', () => {
    const base = deployment({}, { name: 'web' });
    const edited = deployment({}, { name: 'web', annotations: { 'example.com/owner': 'ana', team: 'payments' } });

    expect(diffFields(base, edited)).toEqual([
      { path: 'metadata.annotations["example.com/owner"]', op: 'add', after: 'ana' },
      { path: 'metadata.annotations.team', op: 'add', after: 'payments' },
    ]);
  });

  it('reports a removed map as one removal at the map', () => {
    const base = deployment({}, { name: 'web', annotations: { a: '1', b: '2' } });

    expect(diffFields(base, deployment({}, { name: 'web' }))).toEqual([{ path: 'metadata.annotations', op: 'remove', before: { a: '1', b: '2' } }]);
  });

  it('reports an empty map that appears as one add of {}', () => {
    expect(diffFields(deployment({}), deployment({ selector: {} }))).toEqual([{ path: 'spec.selector', op: 'add', after: {} }]);
  });

  it('matches containers by name, not by position', () => {
    const web = { name: 'web', image: 'nginx:1.27' };
    const sidecar = { name: 'sidecar', image: 'envoy:v1.31' };
    const base = deployment(podSpec([web, sidecar]));
    const edited = deployment(podSpec([{ name: 'init', image: 'busybox' }, web, { ...sidecar, image: 'envoy:v1.32' }]));

    expect(diffFields(base, edited)).toEqual([
      { path: 'spec.template.spec.containers[name=sidecar].image', op: 'replace', before: 'envoy:v1.31', after: 'envoy:v1.32' },
      { path: 'spec.template.spec.containers[name=init]', op: 'add', after: { name: 'init', image: 'busybox' } },
    ]);
  });

  it('reports a removed container as one removal of the item', () => {
    const web = { name: 'web', image: 'nginx:1.27' };
    const sidecar = { name: 'sidecar', image: 'envoy:v1.31' };

    expect(diffFields(deployment(podSpec([web, sidecar])), deployment(podSpec([web])))).toEqual([
      { path: 'spec.template.spec.containers[name=sidecar]', op: 'remove', before: sidecar },
    ]);
  });

  it('reports a reorder as one [$order] replace with the merge keys before and after', () => {
    const a = { name: 'a', image: 'x' };
    const b = { name: 'b', image: 'x' };
    const c = { name: 'c', image: 'x' };

    expect(diffFields(deployment(podSpec([a, b, c])), deployment(podSpec([c, a, b])))).toEqual([
      { path: 'spec.template.spec.containers[$order]', op: 'replace', before: ['a', 'b', 'c'], after: ['c', 'a', 'b'] },
    ]);
  });

  it('addresses ports by their numeric containerPort', () => {
    const base = deployment(podSpec([{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }] }]));
    const edited = deployment(podSpec([{ name: 'web', ports: [{ containerPort: 80, protocol: 'UDP' }] }]));

    expect(diffFields(base, edited).map((c) => c.path)).toEqual(['spec.template.spec.containers[name=web].ports[containerPort=80].protocol']);
  });

  it('compares atomic lists (args, tolerations) and primitive sets (finalizers) whole', () => {
    const base = deployment(podSpec([{ name: 'web', args: ['a', 'b'] }], { tolerations: [{ key: 'x' }] }), { name: 'web', finalizers: ['f1'] });
    const edited = deployment(podSpec([{ name: 'web', args: ['a', 'c'] }], { tolerations: [{ key: 'y' }] }), { name: 'web', finalizers: ['f1', 'f2'] });

    expect(diffFields(base, edited)).toEqual([
      { path: 'metadata.finalizers', op: 'replace', before: ['f1'], after: ['f1', 'f2'] },
      { path: 'spec.template.spec.containers[name=web].args', op: 'replace', before: ['a', 'b'], after: ['a', 'c'] },
      { path: 'spec.template.spec.tolerations', op: 'replace', before: [{ key: 'x' }], after: [{ key: 'y' }] },
    ]);
  });

  it('treats a keyed list with a repeated name as one atomic field', () => {
    const base = deployment(podSpec([{ name: 'web' }]));
    const edited = deployment(podSpec([{ name: 'web' }, { name: 'web', image: 'x' }]));

    expect(diffFields(base, edited).map((c) => [c.path, c.op])).toEqual([['spec.template.spec.containers', 'replace']]);
  });

  it('treats a change of type as one replace', () => {
    expect(diffFields(deployment({ strategy: { type: 'Recreate' } }), deployment({ strategy: 'Recreate' }))).toEqual([
      { path: 'spec.strategy', op: 'replace', before: { type: 'Recreate' }, after: 'Recreate' },
    ]);
  });

  it('ignores status and bookkeeping by default, and nothing with ignore: []', () => {
    const base = deployment({ replicas: 1 }, { name: 'web', resourceVersion: '1', generation: 1 });
    const current = { ...deployment({ replicas: 1 }, { name: 'web', resourceVersion: '2', generation: 2, managedFields: [] }), status: { readyReplicas: 1 } };

    expect(diffFields(base, current)).toEqual([]);
    expect(isBookkeepingOnly(base, current)).toBe(true);
    expect(diffFields(base, current, everything).map((c) => `${c.op} ${c.path}`).sort()).toEqual(['add metadata.managedFields', 'add status.readyReplicas', 'replace metadata.generation', 'replace metadata.resourceVersion']);
    expect(BOOKKEEPING_PATHS).toContain('metadata.managedFields');
  });

  it('sees a spec change as more than bookkeeping', () => {
    expect(isBookkeepingOnly(deployment({ replicas: 1 }), deployment({ replicas: 2 }))).toBe(false);
  });

  it('skips any configured subtree', () => {
    const base = deployment({ replicas: 1, paused: false });
    expect(diffFields(base, deployment({ replicas: 2, paused: true }), { ignore: ['spec.paused'] }).map((c) => c.path)).toEqual(['spec.replicas']);
  });

  it('treats keys named like Object.prototype members and __proto__ as plain data', () => {
    const base: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', data: { constructor: 'a' } };
    const edited = cloneJson(base);
    setKey(edited['data'] as JsonObject, '__proto__', 'b');

    const changes = diffFields(base, edited);
    expect(changes).toEqual([{ path: 'data.__proto__', op: 'add', after: 'b' }]);
    const applied = applyChanges(base, changes);
    expect(Object.hasOwn((applied as JsonObject)['data'] as JsonObject, '__proto__')).toBe(true);
    expect(jsonEqual(applied, edited)).toBe(true);
  });
});

describe('applyChanges', () => {
  it('turns base into edited for random edits of Kubernetes objects', () => {
    fc.assert(
      fc.property(
        arbKubeObject().chain((base) => fc.tuple(fc.constant(base), arbEdit(base))),
        ([base, edited]) => {
          expect(applyChanges(base, diffFields(base, edited, everything), { source: edited })).toEqual(edited);
          expect(diffFields(edited, edited, everything)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('creates missing parents for adds', () => {
    const result = applyChanges({ kind: 'ConfigMap' }, [{ path: 'metadata.annotations["example.com/owner"]', op: 'add', after: 'ana' }]);
    expect(result).toEqual({ kind: 'ConfigMap', metadata: { annotations: { 'example.com/owner': 'ana' } } });
  });

  it('inserts a new container after its predecessor in the source list', () => {
    const base = deployment(podSpec([{ name: 'a' }, { name: 'b' }]));
    const edited = deployment(podSpec([{ name: 'a' }, { name: 'new' }, { name: 'b' }]));
    const target = deployment(podSpec([{ name: 'z' }, { name: 'a' }, { name: 'b' }]));

    const result = applyChanges(target, diffFields(base, edited), { source: edited });
    expect((valueAtPath(result, 'spec.template.spec.containers') as JsonObject[]).map((c) => c['name'])).toEqual(['z', 'a', 'new', 'b']);
  });

  it('does nothing for a removal of an absent field, and leaves the input untouched', () => {
    const target = deployment({ replicas: 1 });
    const copy = cloneJson(target);
    const result = applyChanges(target, [{ path: 'spec.paused', op: 'remove', before: true }, { path: 'spec.replicas', op: 'replace', after: 3 }]);
    expect(result).toEqual(deployment({ replicas: 3 }));
    expect(target).toEqual(copy);
  });

  it('reads the order of a keyed list as merge-key values', () => {
    expect(valueAtPath(deployment(podSpec([{ name: 'b' }, { name: 'a' }])), 'spec.template.spec.containers[$order]')).toEqual(['b', 'a']);
  });
});
