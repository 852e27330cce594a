import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

type Json = Record<string, unknown>;

let sandbox: Sandbox;

async function call(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  const json = (await response.json()) as Json;
  expect(response.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}

const managedFields = (object: Json): Json[] => ((object['metadata'] as Json)['managedFields'] ?? []) as Json[];
const managers = (object: Json): string[] => managedFields(object).map((entry) => `${String(entry['manager'])}/${String(entry['operation'])}${entry['subresource'] ? `/${String(entry['subresource'])}` : ''}`);
const CM = '/api/v1/namespaces/shop/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('metadata.managedFields', () => {
  it('records the fieldManager of a create with the FieldsV1 shape a real API server uses', async () => {
    const created = await call('POST', `${CM}?fieldManager=kubectl-client-side-apply`, { metadata: { name: 'mf-create' }, data: { a: '1' } });
    const [entry] = managedFields(created);
    expect(entry).toMatchObject({ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} });
    expect(String(entry?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('derives the manager from the User-Agent when no fieldManager is given', async () => {
    const created = await call('POST', CM, { metadata: { name: 'mf-agent' } }, { 'User-Agent': 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc' });
    expect(managers(created)).toEqual(['kubectl/Update']);
  });

  it('keeps one entry per manager and operation, adding one for each new manager', async () => {
    await call('POST', `${CM}?fieldManager=alpha`, { metadata: { name: 'mf-many' }, data: { a: '1' } });
    await call('PATCH', `${CM}/mf-many?fieldManager=kubectl-edit`, { data: { a: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    const again = await call('PATCH', `${CM}/mf-many?fieldManager=kubectl-edit`, { data: { a: '3' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(managers(again)).toEqual(['alpha/Update', 'kubectl-edit/Update']);
    const applied = await call('PATCH', `${CM}/mf-many?fieldManager=tandem`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mf-many' }, data: { a: '4' } }, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(managers(applied)).toEqual(['alpha/Update', 'kubectl-edit/Update', 'tandem/Apply']);
  });

  it('leaves managedFields and resourceVersion alone on a no-op write', async () => {
    const created = await call('POST', `${CM}?fieldManager=alpha`, { metadata: { name: 'mf-noop' }, data: { a: '1' } });
    const same = await call('PATCH', `${CM}/mf-noop?fieldManager=beta`, { data: { a: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(managers(same)).toEqual(['alpha/Update']);
    expect((same['metadata'] as Json)['resourceVersion']).toBe((created['metadata'] as Json)['resourceVersion']);
  });

  it('files a status write under the manager’s status subresource entry', async () => {
    const created = await call('POST', `${DEPLOY}?fieldManager=kubectl-create`, {
      metadata: { name: 'mf-status' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const status = await call('PUT', `${DEPLOY}/mf-status/status?fieldManager=deployment-controller`, { ...created, status: { replicas: 1 } });
    expect(managers(status)).toEqual(['kubectl-create/Update', 'deployment-controller/Update/status']);
  });

  it('ignores managedFields sent by the client', async () => {
    const created = await call('POST', `${CM}?fieldManager=alpha`, { metadata: { name: 'mf-forged', managedFields: [{ manager: 'forged' }] } });
    const updated = await call('PUT', `${CM}/mf-forged?fieldManager=beta`, { metadata: { name: 'mf-forged', managedFields: [{ manager: 'forged' }] }, data: { b: '1' } });
    expect(managers(created)).toEqual(['alpha/Update']);
    expect(managers(updated)).toEqual(['alpha/Update', 'beta/Update']);
  });
});
