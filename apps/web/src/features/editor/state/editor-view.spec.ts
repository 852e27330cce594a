import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeUpstreamChange, editorYamlOf } from './editor-view.js';

describe(editorYamlOf.name, () => {
  it('shows the object without managedFields', () => {
    const text = editorYamlOf({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', managedFields: [{ manager: 'kubectl-edit', operation: 'Update' }] },
      spec: { replicas: 2 },
    });
    expect(text).toContain('kind: Deployment');
    expect(text).not.toContain('managedFields');
    expect(parse(text)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 } });
  });
});

describe(describeUpstreamChange.name, () => {
  const base = { type: 'MODIFIED' as const, resourceVersion: '27' };

  it('names the manager, the changed fields without bookkeeping, and the version', () => {
    const paths = ['metadata.annotations.x', 'metadata.managedFields', 'metadata.resourceVersion'];
    expect(describeUpstreamChange({ ...base, paths, manager: 'kubectl-annotate' })).toBe('kubectl-annotate changed metadata.annotations.x (rv 27)');
  });

  it('prefers the Tandem user over the field manager', () => {
    expect(describeUpstreamChange({ ...base, paths: ['spec.replicas'], manager: 'tandem', user: 'bob' })).toBe('bob changed spec.replicas (rv 27)');
  });

  it('shows bookkeeping when nothing else changed, and shortens long lists', () => {
    expect(describeUpstreamChange({ ...base, paths: ['status.readyReplicas'] })).toBe('Someone changed status.readyReplicas (rv 27)');
    const paths = ['spec.a', 'spec.b', 'spec.c', 'spec.d', 'spec.e', 'spec.f'];
    expect(describeUpstreamChange({ ...base, paths, manager: 'helm' })).toBe('helm changed spec.a, spec.b, spec.c, spec.d and 2 more (rv 27)');
  });

  it('says when the object was deleted', () => {
    expect(describeUpstreamChange({ ...base, type: 'DELETED', paths: [], manager: 'kubectl' })).toBe('kubectl deleted this object (rv 27)');
  });
});
