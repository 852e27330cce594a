import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

type Json = Record<string, unknown>;

let sandbox: Sandbox;

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const meta = (object: Json): Json => object['metadata'] as Json;
const names = (list: Json): string[] => (list['items'] as Json[]).map((item) => String(meta(item)['name']));

beforeAll(async () => {
  sandbox = await startSandbox({ historyLimit: 50 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('the scale subresource', () => {
  const scale = '/apis/apps/v1/namespaces/shop/deployments/web/scale';

  it('shows a Deployment as an autoscaling/v1 Scale and writes only its replicas', async () => {
    const read = await call('GET', scale);
    expect(read.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=web' } });

    const patched = await call('PATCH', scale, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    expect(patched.body).toMatchObject({ kind: 'Scale', spec: { replicas: 4 } });
    const deployment = (await call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).body;
    expect(deployment['spec']).toMatchObject({ replicas: 4 });
    expect(meta(deployment)['resourceVersion']).toBe(meta(patched.body)['resourceVersion']);
  });

  it('refuses a stale Scale with 409 and negative replicas with 422', async () => {
    const stale = await call('PUT', scale, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'shop', resourceVersion: '1' }, spec: { replicas: 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body['reason']).toBe('Conflict');
    const negative = await call('PUT', scale, { metadata: { name: 'web' }, spec: { replicas: -1 } });
    expect(negative.status).toBe(422);
    expect(negative.body['message']).toContain('Scale.autoscaling "web" is invalid: spec.replicas');
  });

  it('is advertised in discovery', async () => {
    const resources = (await call('GET', '/apis/apps/v1')).body['resources'] as Json[];
    expect(resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }));
  });
});

describe('paging', () => {
  it('pages a list from one snapshot and answers 410 once the snapshot is gone', async () => {
    const first = (await call('GET', '/api/v1/namespaces/shop/pods?limit=1')).body;
    const listMeta = meta(first);
    expect(names(first)).toHaveLength(1);
    expect(listMeta['remainingItemCount']).toBe(2);
    // A change after the first page does not show on the next pages.
    await call('POST', '/api/v1/namespaces/shop/pods', { metadata: { name: 'zz-late' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const rest = (await call('GET', `/api/v1/namespaces/shop/pods?limit=5&continue=${String(listMeta['continue'])}`)).body;
    expect(names(rest)).toHaveLength(2);
    expect(names(rest)).not.toContain('zz-late');
    expect(meta(rest)['resourceVersion']).toBe(listMeta['resourceVersion']);
    expect(meta(rest)['continue']).toBeUndefined();

    sandbox.trimHistory();
    const gone = await call('GET', `/api/v1/namespaces/shop/pods?limit=1&continue=${String(listMeta['continue'])}`);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(meta(gone.body)['continue']).toEqual(expect.any(String));
  });
});

describe('CustomResourceDefinitions', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
        },
      ],
    },
  };
  const GADGETS = '/apis/example.com/v1/namespaces/shop/gadgets';

  it('serves custom objects once their definition exists, and stops when it is deleted', async () => {
    expect((await call('GET', GADGETS)).status).toBe(404);
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body['status'])).toContain('Established');

    const object = await call('POST', GADGETS, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 1 }, status: { ignored: true } });
    expect(object.status).toBe(201);
    expect(object.body['status']).toBeUndefined();
    const merged = await call('PATCH', `${GADGETS}/g1`, { spec: { size: 2 } }, 'application/merge-patch+json');
    expect(merged.body['spec']).toEqual({ size: 2 });
    const strategic = await call('PATCH', `${GADGETS}/g1`, { spec: { size: 3 } }, 'application/strategic-merge-patch+json');
    expect(strategic.status).toBe(415);
    const status = await call('PUT', `${GADGETS}/g1/status`, { ...merged.body, status: { phase: 'Ready' } });
    expect(status.body['status']).toEqual({ phase: 'Ready' });

    const resources = (await call('GET', '/apis/example.com/v1')).body['resources'] as Json[];
    expect(resources.map((r) => r['name'])).toEqual(['gadgets', 'gadgets/status']);
    const root = (await call('GET', '/openapi/v3')).body['paths'] as Record<string, { serverRelativeURL: string }>;
    const document = (await call('GET', root['apis/example.com/v1']?.serverRelativeURL ?? '')).body;
    const schemas = (document['components'] as Json)['schemas'] as Record<string, Json>;
    expect(schemas['com.example.v1.Gadget']).toMatchObject({ properties: { spec: { properties: { size: { type: 'integer' } } } }, 'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Gadget' }] });

    expect((await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com')).status).toBe(200);
    expect((await call('GET', GADGETS)).status).toBe(404);
  });

  it('refuses a definition whose name is not plural.group', async () => {
    const wrong = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { ...crd, metadata: { name: 'wrong.example.com' } });
    expect(wrong.status).toBe(422);
  });
});
