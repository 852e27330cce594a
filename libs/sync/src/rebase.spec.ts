import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChanges, valueAtPath } from './apply.js';
import { diffFields, type FieldChange } from './diff.js';
import { jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { rebase, resolve, UnresolvedConflictsError, type RebaseResult } from './rebase.js';
import { arbDeployment, arbEditedPair } from './test-support/arbitraries.js';

const everything = { ignore: [] };
// Generous: the figures hold on an idle machine in about a second each; CI runners are shared.
const PROPERTY_TIMEOUT = 60_000;

/** True when the merged object shows the change (for `[$order]`: the relative order of the items still there). */
function isReflected(merged: JsonValue, change: FieldChange): boolean {
  const current = valueAtPath(merged, change.path);
  if (change.path.endsWith('[$order]')) {
    if (!Array.isArray(current) || !Array.isArray(change.after)) return false;
    const wanted = change.after;
    const present = new Set(current);
    const kept = new Set(wanted);
    return jsonEqual(
      current.filter((id) => kept.has(id)),
      wanted.filter((id) => present.has(id)),
    );
  }
  if (change.op === 'remove') return current === undefined;
  return jsonEqual(current, change.after);
}

/** The changes neither reflected in `merged` nor named in a conflict. */
function silentlyLost(result: RebaseResult, changes: readonly FieldChange[]): FieldChange[] {
  const conflicting = new Set(result.conflicts.flatMap((c) => [...c.mine, ...c.theirs].map((change) => change.path)));
  return changes.filter((change) => !conflicting.has(change.path) && !isReflected(result.merged, change));
}

function deployment(overrides: { annotations?: JsonObject; labels?: JsonObject; containers?: JsonObject[]; replicas?: number } = {}): JsonObject {
  const metadata: JsonObject = { name: 'web', namespace: 'shop', resourceVersion: '100' };
  if (overrides.annotations) metadata['annotations'] = overrides.annotations;
  if (overrides.labels) metadata['labels'] = overrides.labels;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: overrides.replicas ?? 2,
      template: {
        spec: {
          containers: overrides.containers ?? [
            { name: 'web', image: 'nginx:1.27', args: ['--port=80'] },
            { name: 'sidecar', image: 'envoy:v1.31' },
          ],
        },
      },
    },
  };
}

const containersOf = (object: JsonValue): JsonObject[] => valueAtPath(object, 'spec.template.spec.containers') as JsonObject[];

describe('rebase: two people edit one Deployment from the same stale base', () => {
  it('keeps both when A adds annotation foo=bar and B adds label hello=world', () => {
    const base = deployment();
    const a = deployment({ annotations: { foo: 'bar' } });
    const b = deployment({ labels: { hello: 'world' } });

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([]);
    expect(valueAtPath(result.merged, 'metadata.annotations.foo')).toBe('bar');
    expect(valueAtPath(result.merged, 'metadata.labels.hello')).toBe('world');
    expect(result.applied).toEqual([{ path: 'metadata.annotations.foo', op: 'add', after: 'bar' }]);
  });

  it('keeps annotations whose keys contain dots and slashes apart', () => {
    const base = deployment({ annotations: { 'example.com/owner': 'team-a' } });
    const a = deployment({ annotations: { 'example.com/owner': 'team-b' } });
    const b = deployment({ annotations: { 'example.com/owner': 'team-a', 'example.com/tier': 'gold' } });

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([]);
    expect(valueAtPath(result.merged, 'metadata.annotations')).toEqual({ 'example.com/owner': 'team-b', 'example.com/tier': 'gold' });
  });

  it('reports a conflict when A deletes metadata.annotations while B adds an annotation', () => {
    const base = deployment({ annotations: { team: 'payments' } });
    const a = deployment();
    const b = deployment({ annotations: { team: 'payments', 'example.com/owner': 'bob' } });

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([
      {
        path: 'metadata.annotations',
        mine: [{ path: 'metadata.annotations', op: 'remove', before: { team: 'payments' } }],
        theirs: [{ path: 'metadata.annotations["example.com/owner"]', op: 'add', after: 'bob' }],
      },
    ]);
    // Until resolved, the conflicting field keeps theirs' value.
    expect(valueAtPath(result.merged, 'metadata.annotations')).toEqual({ team: 'payments', 'example.com/owner': 'bob' });
  });

  it('keeps both when A reorders containers while B changes the image of another container', () => {
    const web = { name: 'web', image: 'nginx:1.27' };
    const sidecar = { name: 'sidecar', image: 'envoy:v1.31' };
    const log = { name: 'log', image: 'fluent-bit:3' };
    const base = deployment({ containers: [web, sidecar, log] });
    const a = deployment({ containers: [log, web, sidecar] });
    const b = deployment({ containers: [web, { ...sidecar, image: 'envoy:v1.32' }, log] });

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([]);
    expect(containersOf(result.merged)).toEqual([log, web, { ...sidecar, image: 'envoy:v1.32' }]);
  });

  it('reports a conflict when A and B change the atomic args list differently', () => {
    const base = deployment();
    const a = deployment({ containers: [{ name: 'web', image: 'nginx:1.27', args: ['--port=80', '--verbose'] }, { name: 'sidecar', image: 'envoy:v1.31' }] });
    const b = deployment({ containers: [{ name: 'web', image: 'nginx:1.27', args: ['--port=8080'] }, { name: 'sidecar', image: 'envoy:v1.31' }] });

    const result = rebase(base, a, b);

    expect(result.conflicts.map((c) => c.path)).toEqual(['spec.template.spec.containers[name=web].args']);
    expect(valueAtPath(result.merged, 'spec.template.spec.containers[name=web].args')).toEqual(['--port=8080']);
  });

  it('does not report a conflict when both set replicas to 3', () => {
    const result = rebase(deployment(), deployment({ replicas: 3 }), deployment({ replicas: 3 }));

    expect(result.conflicts).toEqual([]);
    expect(result.applied).toEqual([]);
    expect(valueAtPath(result.merged, 'spec.replicas')).toBe(3);
  });

  it('reports a conflict when both set replicas to different values', () => {
    const result = rebase(deployment(), deployment({ replicas: 3 }), deployment({ replicas: 5 }));

    expect(result.conflicts).toEqual([
      {
        path: 'spec.replicas',
        mine: [{ path: 'spec.replicas', op: 'replace', before: 2, after: 3 }],
        theirs: [{ path: 'spec.replicas', op: 'replace', before: 2, after: 5 }],
      },
    ]);
  });

  it('reports a conflict when A removes a container that B edits', () => {
    const base = deployment();
    const a = deployment({ containers: [{ name: 'web', image: 'nginx:1.27', args: ['--port=80'] }] });
    const b = deployment({ containers: [{ name: 'web', image: 'nginx:1.27', args: ['--port=80'] }, { name: 'sidecar', image: 'envoy:v1.32' }] });

    const result = rebase(base, a, b);

    expect(result.conflicts.map((c) => c.path)).toEqual(['spec.template.spec.containers[name=sidecar]']);
  });

  it('reports a conflict when both reorder the containers differently', () => {
    const c1 = { name: 'a', image: 'x' };
    const c2 = { name: 'b', image: 'x' };
    const c3 = { name: 'c', image: 'x' };
    const result = rebase(deployment({ containers: [c1, c2, c3] }), deployment({ containers: [c3, c1, c2] }), deployment({ containers: [c2, c1, c3] }));

    expect(result.conflicts.map((c) => c.path)).toEqual(['spec.template.spec.containers[$order]']);
    expect(containersOf(result.merged)).toEqual([c2, c1, c3]);
  });

  it('orders containers both sides added at the same spot the same way, theirs first', () => {
    const web = { name: 'web', image: 'nginx:1.27' };
    const base = deployment({ containers: [web] });
    const a = deployment({ containers: [web, { name: 'mine', image: 'a' }] });
    const b = deployment({ containers: [web, { name: 'theirs', image: 'b' }] });

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([]);
    expect(containersOf(result.merged).map((c) => c['name'])).toEqual(['web', 'theirs', 'mine']);
  });

  it('keeps theirs resourceVersion and status while carrying mine over', () => {
    const base = deployment();
    const a = deployment({ replicas: 4 });
    const b = { ...deployment(), metadata: { name: 'web', namespace: 'shop', resourceVersion: '101' }, status: { readyReplicas: 2 } };

    const result = rebase(base, a, b);

    expect(result.conflicts).toEqual([]);
    expect(valueAtPath(result.merged, 'metadata.resourceVersion')).toBe('101');
    expect(valueAtPath(result.merged, 'status.readyReplicas')).toBe(2);
    expect(valueAtPath(result.merged, 'spec.replicas')).toBe(4);
  });
});

describe('resolve: finishing a rebase with conflicts', () => {
  const base = deployment({ annotations: { team: 'payments' }, replicas: 2 });
  const a = deployment({ replicas: 3 });
  const b = deployment({ annotations: { team: 'payments', 'example.com/owner': 'bob' }, replicas: 5 });
  const result = rebase(base, a, b);

  it('gives mine for every field where mine is picked', () => {
    const resolved = resolve(result, { 'metadata.annotations': 'mine', 'spec.replicas': 'mine' });

    expect(valueAtPath(resolved, 'metadata.annotations')).toBeUndefined();
    expect(valueAtPath(resolved, 'spec.replicas')).toBe(3);
  });

  it('gives theirs for every field where theirs is picked', () => {
    const resolved = resolve(result, { 'metadata.annotations': 'theirs', 'spec.replicas': 'theirs' });

    expect(resolved).toEqual(b);
  });

  it('mixes sides per field', () => {
    const resolved = resolve(result, { 'metadata.annotations': 'theirs', 'spec.replicas': 'mine' });

    expect(valueAtPath(resolved, 'metadata.annotations')).toEqual({ team: 'payments', 'example.com/owner': 'bob' });
    expect(valueAtPath(resolved, 'spec.replicas')).toBe(3);
  });

  it('brings back a whole container picked from mine that theirs removed', () => {
    const web = { name: 'web', image: 'nginx:1.27' };
    const sidecar = { name: 'sidecar', image: 'envoy:v1.31', args: ['--admin'] };
    const r = rebase(deployment({ containers: [web, sidecar] }), deployment({ containers: [web, { ...sidecar, image: 'envoy:v1.32' }] }), deployment({ containers: [web] }));

    expect(containersOf(resolve(r, { 'spec.template.spec.containers[name=sidecar]': 'mine' }))).toEqual([web, { ...sidecar, image: 'envoy:v1.32' }]);
  });

  it('names the unresolved conflict paths', () => {
    expect(() => resolve(result, { 'spec.replicas': 'mine' })).toThrow(UnresolvedConflictsError);
    expect(() => resolve(result, { 'spec.replicas': 'mine' })).toThrow(/unresolved: metadata\.annotations/);
  });

  it('rejects a choice for a path that is not in conflict', () => {
    expect(() => resolve(result, { 'metadata.annotations': 'mine', 'spec.replicas': 'mine', 'spec.paused': 'mine' })).toThrow(/No conflict at spec\.paused/);
  });
});

describe('rebase properties over random concurrent edits', () => {
  it('never loses a change silently: each is reflected in merged or named in a conflict', () => {
    fc.assert(
      fc.property(arbEditedPair(), ({ base, mine, theirs }) => {
        const result = rebase(base, mine, theirs, everything);
        expect(silentlyLost(result, [...diffFields(base, mine, everything), ...diffFields(base, theirs, everything)])).toEqual([]);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT);

  it('merges the same way whichever side is applied first when nothing conflicts', () => {
    fc.assert(
      fc.property(arbEditedPair(), ({ base, mine, theirs }) => {
        const result = rebase(base, mine, theirs, everything);
        fc.pre(result.conflicts.length === 0);
        const mineOnTheirs = applyChanges(theirs, diffFields(base, mine, everything), { source: mine, role: 'mine' });
        const theirsOnMine = applyChanges(mine, diffFields(base, theirs, everything), { source: theirs, role: 'theirs' });
        expect(mineOnTheirs).toEqual(result.merged);
        expect(theirsOnMine).toEqual(result.merged);
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT);

  it('orders concurrent inserts, removals and moves in keyed lists the same way from either side', () => {
    fc.assert(
      fc.property(arbEditedPair(arbDeployment(), 'keyed-lists'), ({ base, mine, theirs }) => {
        const result = rebase(base, mine, theirs, everything);
        expect(silentlyLost(result, [...diffFields(base, mine, everything), ...diffFields(base, theirs, everything)])).toEqual([]);
        if (result.conflicts.length > 0) return;
        expect(applyChanges(mine, diffFields(base, theirs, everything), { source: theirs, role: 'theirs' })).toEqual(result.merged);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT);

  it('returns mine when theirs is the base, and theirs when mine is the base', () => {
    fc.assert(
      fc.property(arbEditedPair(), ({ base, mine, theirs }) => {
        expect(rebase(base, mine, base, everything).merged).toEqual(mine);
        expect(rebase(base, base, theirs, everything).merged).toEqual(theirs);
        expect(rebase(base, mine, base, everything).conflicts).toEqual([]);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT);

  it('gives each side its own version back through resolve', () => {
    fc.assert(
      fc.property(arbEditedPair(), ({ base, mine, theirs }) => {
        const result = rebase(base, mine, theirs, everything);
        const allTheirs = Object.fromEntries(result.conflicts.map((c) => [c.path, 'theirs' as const]));
        const resolved = resolve(result, allTheirs);
        expect(resolved).toEqual(result.merged);
        const allMine = Object.fromEntries(result.conflicts.map((c) => [c.path, 'mine' as const]));
        const mineWins = resolve(result, allMine);
        expect(diffFields(base, mine, everything).filter((change) => !isReflected(mineWins, change))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  }, PROPERTY_TIMEOUT);
});
