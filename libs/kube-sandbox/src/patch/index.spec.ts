import { describe, expect, it } from 'vitest';
import { patchError } from './test-support.js';
import { applyPatch } from './index.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy:1' }] } } },
});
const widget = () => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items: [{ name: 'a' }] } });

describe(applyPatch.name, () => {
  it('merges a strategic patch by merge key on a built-in kind', () => {
    const after = applyPatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:3' }] } } } }, 'application/strategic-merge-patch+json');
    expect(after['spec']).toEqual({ template: { spec: { containers: [{ name: 'c', image: 'nginx:3' }, { name: 'sidecar', image: 'envoy:1' }] } } });
  });

  it('replaces the list for the same body sent as a merge patch, and ignores media type parameters', () => {
    const after = applyPatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:3' }] } } } }, 'application/merge-patch+json; charset=utf-8');
    expect(after['spec']).toEqual({ template: { spec: { containers: [{ name: 'c', image: 'nginx:3' }] } } });
  });

  it('applies a JSON patch', () => {
    const after = applyPatch(deployment(), [{ op: 'replace', path: '/spec/template/spec/containers/1/image', value: 'envoy:2' }], 'application/json-patch+json');
    expect(after['spec']).toEqual({ template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy:2' }] } } });
  });

  it('answers 415 to a strategic patch on a custom resource, as the API server does', () => {
    const error = patchError(() => applyPatch(widget(), { spec: { items: [{ name: 'b' }] } }, 'application/strategic-merge-patch+json'));
    expect(error.code).toBe(415);
    expect(error.reason).toBe('UnsupportedMediaType');
    expect(error.message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('answers 415 to an unknown content type', () => {
    const error = patchError(() => applyPatch(deployment(), {}, 'application/json'));
    expect(error.code).toBe(415);
    expect(error.message).toContain('application/strategic-merge-patch+json');
  });

  it('answers 400 to a merge patch body that is not an object', () => {
    expect(patchError(() => applyPatch(deployment(), ['x'], 'application/merge-patch+json')).code).toBe(400);
  });

  it('answers 422 when a JSON patch would turn the object into something else', () => {
    expect(patchError(() => applyPatch(deployment(), [{ op: 'replace', path: '', value: 'x' }], 'application/json-patch+json')).code).toBe(422);
  });

  it('merges a server-side apply configuration into the object', () => {
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'core' } } };
    const after = applyPatch(deployment(), applied, 'application/apply-patch+yaml');
    expect(after['metadata']).toEqual({ name: 'web', labels: { app: 'web', team: 'core' } });
    expect(after['spec']).toEqual(deployment().spec);
  });
});
