import type { JsonObject, ResourceRef } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { identityProblem, planSave } from './save-plan.js';

const ref: ResourceRef = { context: 'lab', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

function deployment(resourceVersion: string, extra: { annotations?: Record<string, string>; labels?: Record<string, string>; replicas?: number; ready?: number } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      resourceVersion,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.labels ? { labels: extra.labels } : {}),
    },
    spec: { replicas: extra.replicas ?? 2 },
    status: { readyReplicas: extra.ready ?? 0 },
  };
}

describe(planSave.name, () => {
  it('writes the edited object with the current version as precondition when the base is current', () => {
    const current = deployment('10');
    const plan = planSave({ base: undefined, baseResourceVersion: '10', current, edited: deployment('10', { labels: { hello: 'world' } }) });
    expect(plan.kind).toBe('write');
    if (plan.kind !== 'write') return;
    expect(plan.changes.map((change) => change.path)).toEqual(['metadata.labels.hello']);
    expect(plan.object).toMatchObject({ metadata: { resourceVersion: '10', labels: { hello: 'world' } } });
  });

  it('carries the change over a status-only upstream update, keeping the current status', () => {
    const base = deployment('10');
    const current = deployment('11', { ready: 2 });
    const plan = planSave({ base, baseResourceVersion: '10', current, edited: deployment('10', { replicas: 3 }) });
    expect(plan.kind).toBe('write');
    if (plan.kind !== 'write') return;
    expect(plan.object).toMatchObject({ metadata: { resourceVersion: '11' }, spec: { replicas: 3 }, status: { readyReplicas: 2 } });
  });

  it('is stale when upstream changed a field, listing that change (the Dashboard scenario)', () => {
    const base = deployment('10');
    const current = deployment('11', { annotations: { foo: 'bar' } });
    const plan = planSave({ base, baseResourceVersion: '10', current, edited: deployment('10', { labels: { hello: 'world' } }) });
    expect(plan).toMatchObject({ kind: 'stale', upstream: [{ path: 'metadata.annotations.foo', op: 'add', after: 'bar' }] });
  });

  it('refuses a base it does not know unless it is the current version', () => {
    const current = deployment('11', { annotations: { foo: 'bar' } });
    expect(planSave({ base: undefined, baseResourceVersion: '10', current, edited: deployment('10') })).toEqual({ kind: 'unknown-base' });
    expect(planSave({ base: undefined, baseResourceVersion: '99999', current, edited: deployment('10') })).toEqual({ kind: 'unknown-base' });
  });

  it('never writes an object lacking an upstream annotation when the base is older', () => {
    const base = deployment('10');
    const current = deployment('11', { annotations: { foo: 'bar' } });
    for (const edited of [deployment('10'), deployment('11'), deployment('10', { labels: { a: 'b' } })]) {
      expect(planSave({ base, baseResourceVersion: '10', current, edited }).kind).toBe('stale');
    }
  });
});

describe(identityProblem.name, () => {
  it('accepts the same object and names what changed otherwise', () => {
    const current = deployment('10');
    expect(identityProblem(ref, deployment('10'), current)).toBeUndefined();
    expect(identityProblem(ref, { ...deployment('10'), kind: 'StatefulSet' }, current)).toMatch(/^kind must stay "Deployment"/);
    expect(identityProblem(ref, { ...deployment('10'), apiVersion: 'apps/v1beta1' })).toMatch(/^apiVersion must stay "apps\/v1"/);
    expect(identityProblem(ref, { ...deployment('10'), metadata: { name: 'api', namespace: 'shop' } })).toMatch(/^metadata.name must stay "web"/);
    expect(identityProblem(ref, { ...deployment('10'), metadata: { name: 'web', namespace: 'default' } })).toMatch(/^metadata.namespace must stay "shop"/);
  });

  it('expects v1 as the apiVersion of the core group', () => {
    const configMap = { ...ref, group: '', resource: 'configmaps', name: 'settings' };
    expect(identityProblem(configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' } })).toBeUndefined();
  });
});
