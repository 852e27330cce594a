import { describe, expect, it } from 'vitest';
import { patchError } from './test-support.js';
import { applyJsonPatch } from './json-patch.js';
import { PatchError } from './patch-error.js';

const configMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', resourceVersion: '7', annotations: { 'example.com/owner': 'team-a', 'a~b': 'tilde' }, finalizers: ['a', 'b'] },
  data: { mode: 'prod' },
});

describe(applyJsonPatch.name, () => {
  it('applies when a test on resourceVersion holds', () => {
    const after = applyJsonPatch(configMap(), [
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'replace', path: '/data/mode', value: 'dev' },
    ]) as { data: unknown };
    expect(after.data).toEqual({ mode: 'dev' });
  });

  it('fails a stale test with 422 and the message the API server gives', () => {
    const error = patchError(() =>
      applyJsonPatch(configMap(), [
        { op: 'test', path: '/metadata/resourceVersion', value: '6' },
        { op: 'replace', path: '/data/mode', value: 'dev' },
      ]),
    );
    expect(error.code).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toBe('testing value /metadata/resourceVersion failed: test failed');
  });

  it('compares test values as JSON, whatever the key order', () => {
    const after = applyJsonPatch(configMap(), [{ op: 'test', path: '/metadata/finalizers', value: ['a', 'b'] }, { op: 'test', path: '/data', value: { mode: 'prod' } }]);
    expect(after).toEqual(configMap());
    expect(() => applyJsonPatch(configMap(), [{ op: 'test', path: '/metadata/finalizers', value: ['b', 'a'] }])).toThrow(PatchError);
  });

  it('appends with the - index and inserts at an index', () => {
    const after = applyJsonPatch(configMap(), [
      { op: 'add', path: '/metadata/finalizers/-', value: 'z' },
      { op: 'add', path: '/metadata/finalizers/0', value: 'first' },
    ]) as { metadata: { finalizers: string[] } };
    expect(after.metadata.finalizers).toEqual(['first', 'a', 'b', 'z']);
  });

  it('addresses keys with / and ~ through ~1 and ~0', () => {
    const after = applyJsonPatch(configMap(), [
      { op: 'replace', path: '/metadata/annotations/example.com~1owner', value: 'team-b' },
      { op: 'remove', path: '/metadata/annotations/a~0b' },
      { op: 'add', path: '/metadata/annotations/x~1y~0z', value: 'new' },
    ]) as { metadata: { annotations: unknown } };
    expect(after.metadata.annotations).toEqual({ 'example.com/owner': 'team-b', 'x/y~z': 'new' });
  });

  it('moves and copies values', () => {
    const after = applyJsonPatch(configMap(), [
      { op: 'copy', from: '/data/mode', path: '/data/backup' },
      { op: 'move', from: '/data/mode', path: '/metadata/annotations/mode' },
      { op: 'move', from: '/metadata/finalizers/1', path: '/metadata/finalizers/0' },
    ]) as { data: unknown; metadata: { annotations: Record<string, string>; finalizers: string[] } };
    expect(after.data).toEqual({ backup: 'prod' });
    expect(after.metadata.annotations['mode']).toBe('prod');
    expect(after.metadata.finalizers).toEqual(['b', 'a']);
  });

  it('copies by value, so a later change to the copy leaves the source alone', () => {
    const after = applyJsonPatch(configMap(), [
      { op: 'copy', from: '/data', path: '/metadata/labels' },
      { op: 'add', path: '/metadata/labels/extra', value: 'x' },
    ]) as { data: unknown; metadata: { labels: unknown } };
    expect(after.data).toEqual({ mode: 'prod' });
    expect(after.metadata.labels).toEqual({ mode: 'prod', extra: 'x' });
  });

  it('answers 422 for paths that do not exist', () => {
    const removeMissing = patchError(() => applyJsonPatch(configMap(), [{ op: 'remove', path: '/data/nope' }]));
    expect(removeMissing.code).toBe(422);
    expect(removeMissing.message).toContain('Unable to remove nonexistent key: nope');

    const addUnderMissing = patchError(() => applyJsonPatch(configMap(), [{ op: 'add', path: '/spec/x', value: 1 }]));
    expect(addUnderMissing.code).toBe(422);
    expect(addUnderMissing.message).toBe('add operation does not apply: doc is missing path: "/spec/x": missing value');

    const replaceMissing = patchError(() => applyJsonPatch(configMap(), [{ op: 'replace', path: '/data/nope', value: 1 }]));
    expect(replaceMissing.message).toBe('replace operation does not apply: doc is missing key: /data/nope: missing value');

    const pastTheEnd = patchError(() => applyJsonPatch(configMap(), [{ op: 'add', path: '/metadata/finalizers/5', value: 'x' }]));
    expect(pastTheEnd.code).toBe(422);
  });

  it('answers 422 for an unknown operation and 400 for a body that is not a list of operations', () => {
    expect(patchError(() => applyJsonPatch(configMap(), [{ op: 'frobnicate', path: '/a' }])).code).toBe(422);
    const notAList = patchError(() => applyJsonPatch(configMap(), { op: 'add', path: '/a', value: 1 }));
    expect(notAList.code).toBe(400);
    expect(notAList.reason).toBe('BadRequest');
    expect(patchError(() => applyJsonPatch(configMap(), ['add'])).code).toBe(400);
  });

  it('leaves the document untouched when a later operation fails, and never mutates its input', () => {
    const target = configMap();
    const operations = [
      { op: 'add', path: '/data/level', value: { deep: 1 } },
      { op: 'test', path: '/data/mode', value: 'dev' },
    ];
    const targetCopy = structuredClone(target);
    const operationsCopy = structuredClone(operations);
    expect(() => applyJsonPatch(target, operations)).toThrow(PatchError);
    const after = applyJsonPatch(target, operations.slice(0, 1)) as { data: { level: { deep: number } } };
    after.data.level.deep = 2;
    expect(target).toEqual(targetCopy);
    expect(operations).toEqual(operationsCopy);
  });
});
