import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';

describe(applyMergePatch.name, () => {
  const configMap = () => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cfg', labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    data: { mode: 'prod' },
  });

  it('deletes keys set to null and merges nested maps', () => {
    const after = applyMergePatch(configMap(), { metadata: { labels: { tier: null, team: 'core' } }, data: { level: 'info' } });
    expect(after).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', labels: { app: 'web', team: 'core' }, finalizers: ['a', 'b'] },
      data: { mode: 'prod', level: 'info' },
    });
  });

  it('replaces lists whole', () => {
    const after = applyMergePatch(configMap(), { metadata: { finalizers: ['c'] } }) as { metadata: { finalizers: string[] } };
    expect(after.metadata.finalizers).toEqual(['c']);
  });

  it('drops nulls inside a map it adds and replaces a scalar with a map (RFC 7386)', () => {
    expect(applyMergePatch({ a: 'x' }, { a: { b: 1, c: null }, d: { e: null } })).toEqual({ a: { b: 1 }, d: {} });
  });

  it('replaces the whole target with a non-object patch', () => {
    expect(applyMergePatch({ a: 1 }, ['x'])).toEqual(['x']);
  });

  it('mutates neither input', () => {
    const target = configMap();
    const patch = { metadata: { labels: { tier: null } }, data: { extra: { deep: 1 } } };
    const targetCopy = structuredClone(target);
    const patchCopy = structuredClone(patch);
    const after = applyMergePatch(target, patch) as { data: { extra: { deep: number } } };
    after.data.extra.deep = 2;
    expect(target).toEqual(targetCopy);
    expect(patch).toEqual(patchCopy);
  });
});
