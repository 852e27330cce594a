import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  body: Json;
}

let sandbox: Sandbox;

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Json) : { text } };
}

const meta = (object: Json): Json => object['metadata'] as Json;
const rv = (object: Json): string => String(meta(object)['resourceVersion']);
const CM = '/api/v1/namespaces/shop/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';

function deployment(name: string, image = 'nginx:1'): Json {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }] } },
    },
  };
}

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('discovery and OpenAPI', () => {
  it('reports Kubernetes 1.32 and answers health probes', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0' });
    for (const probe of ['/healthz', '/readyz', '/livez']) expect(await call('GET', probe)).toEqual({ status: 200, body: { text: 'ok' } });
  });

  it('lists resources with short names and status subresources', async () => {
    const apps = (await call('GET', '/apis/apps/v1')).body;
    const resources = apps['resources'] as Json[];
    expect(resources).toContainEqual(expect.objectContaining({ name: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], singularName: 'deployment' }));
    expect(resources.map((r) => r['name'])).toEqual(expect.arrayContaining(['deployments/status', 'replicasets', 'statefulsets']));
    const core = (await call('GET', '/api/v1')).body['resources'] as Json[];
    expect(core.filter((r) => r['shortNames']).map((r) => (r['shortNames'] as string[])[0])).toEqual(expect.arrayContaining(['ns', 'po', 'svc', 'cm', 'sa', 'ev']));
    const groups = (await call('GET', '/apis')).body['groups'] as Json[];
    expect(groups.map((g) => g['name'])).toEqual(['apps', 'apiextensions.k8s.io']);
  });

  it('serves an OpenAPI v3 document per group-version whose PATCH operations name their kind', async () => {
    const root = (await call('GET', '/openapi/v3')).body['paths'] as Record<string, { serverRelativeURL: string }>;
    expect(Object.keys(root)).toEqual(['api/v1', 'apis/apps/v1', 'apis/apiextensions.k8s.io/v1']);
    const document = (await call('GET', root['apis/apps/v1']?.serverRelativeURL ?? '')).body;
    const item = (document['paths'] as Json)['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Json;
    const patch = item['patch'] as Json;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect((patch['parameters'] as Json[]).map((p) => p['name'])).toContain('fieldValidation');
    expect((await call('GET', '/openapi/v3/apis/nope/v1')).status).toBe(404);
  });
});

describe('printing', () => {
  it('answers a request for a Table with printed rows, as kubectl get asks', async () => {
    const response = await fetch(`${sandbox.url}${DEPLOY}?limit=500`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    expect(response.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    const table = (await response.json()) as Json;
    expect(table['kind']).toBe('Table');
    expect((table['columnDefinitions'] as Json[]).slice(0, 5).map((c) => c['name'])).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    const web = (table['rows'] as Json[]).find((row) => (row['cells'] as unknown[])[0] === 'web');
    expect((web?.['cells'] as unknown[]).slice(0, 4)).toEqual(['web', '2/2', 2, 2]);
    expect(web?.['object']).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web', namespace: 'shop' } });
  });
});

describe('writes', () => {
  it('fills in kind, apiVersion, uid, creationTimestamp and one strictly increasing resourceVersion', async () => {
    const first = await call('POST', CM, { metadata: { name: 'rv-a' }, data: { k: 'v' } });
    const second = await call('POST', DEPLOY, deployment('rv-b'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'rv-a', namespace: 'shop' } });
    expect(meta(first.body)['uid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta(first.body)['creationTimestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(rv(second.body))).toBeGreaterThan(Number(rv(first.body)));
    const list = (await call('GET', CM)).body;
    expect(list['kind']).toBe('ConfigMapList');
    expect(Number(rv(list))).toBeGreaterThanOrEqual(Number(rv(second.body)));
  });

  it('answers a duplicate create with AlreadyExists and a missing object with NotFound, as real Status bodies', async () => {
    await call('POST', CM, { metadata: { name: 'dup' } });
    expect(await call('POST', CM, { metadata: { name: 'dup' } })).toEqual({
      status: 409,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "dup" already exists', reason: 'AlreadyExists', details: { name: 'dup', kind: 'configmaps' }, code: 409 },
    });
    expect(await call('GET', `${DEPLOY}/nope`)).toEqual({
      status: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', group: 'apps', kind: 'deployments' }, code: 404 },
    });
  });

  it('rejects a PUT with a stale resourceVersion and accepts one without', async () => {
    const created = (await call('POST', CM, { metadata: { name: 'cfg' }, data: { a: '1' } })).body;
    const updated = await call('PUT', `${CM}/cfg`, { ...created, data: { a: '2' } });
    expect(updated.status).toBe(200);
    const stale = await call('PUT', `${CM}/cfg`, { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'cfg', kind: 'configmaps' },
    });
    const blind = await call('PUT', `${CM}/cfg`, { metadata: { name: 'cfg' }, data: { a: '4' } });
    expect(blind.status).toBe(200);
    expect((await call('GET', `${CM}/cfg`)).body['data']).toEqual({ a: '4' });
  });

  it('keeps the resourceVersion for a write that changes nothing', async () => {
    const created = (await call('POST', CM, { metadata: { name: 'noop' }, data: { a: '1' } })).body;
    const put = (await call('PUT', `${CM}/noop`, created)).body;
    const patched = (await call('PATCH', `${CM}/noop`, { data: { a: '1' } }, 'application/merge-patch+json')).body;
    expect(rv(put)).toBe(rv(created));
    expect(rv(patched)).toBe(rv(created));
  });

  it('bumps generation on spec changes only', async () => {
    const created = (await call('POST', DEPLOY, deployment('gen'))).body;
    expect(meta(created)['generation']).toBe(1);
    const labelled = (await call('PATCH', `${DEPLOY}/gen`, { metadata: { labels: { extra: 'yes' } } }, 'application/merge-patch+json')).body;
    expect(meta(labelled)['generation']).toBe(1);
    const scaled = (await call('PATCH', `${DEPLOY}/gen`, { spec: { replicas: 3 } }, 'application/merge-patch+json')).body;
    expect(meta(scaled)['generation']).toBe(2);
  });

  it('changes status only through the status subresource', async () => {
    const created = (await call('POST', DEPLOY, deployment('stat'))).body;
    const ignored = (await call('PUT', `${DEPLOY}/stat`, { ...created, status: { replicas: 9 } })).body;
    expect(ignored['status']).toEqual({});
    expect(rv(ignored)).toBe(rv(created));
    const viaStatus = (await call('PUT', `${DEPLOY}/stat/status`, { ...created, spec: { replicas: 7 }, status: { replicas: 1 } })).body;
    expect(viaStatus['status']).toEqual({ replicas: 1 });
    expect((viaStatus['spec'] as Json)['replicas']).toBe(1);
    expect(meta(viaStatus)['generation']).toBe(1);
    const patched = (await call('PATCH', `${DEPLOY}/stat/status`, { status: { readyReplicas: 1 } }, 'application/merge-patch+json')).body;
    expect(patched['status']).toEqual({ replicas: 1, readyReplicas: 1 });
  });

  it('treats a resourceVersion in a patch as a precondition', async () => {
    const created = (await call('POST', CM, { metadata: { name: 'pre' }, data: { a: '1' } })).body;
    await call('PATCH', `${CM}/pre`, { data: { a: '2' } }, 'application/merge-patch+json');
    const stale = await call('PATCH', `${CM}/pre`, { metadata: { resourceVersion: rv(created) }, data: { a: '3' } }, 'application/merge-patch+json');
    expect(stale.status).toBe(409);
    expect((await call('GET', `${CM}/pre`)).body['data']).toEqual({ a: '2' });
  });

  it('applies JSON and strategic merge patches, and refuses unknown patch types', async () => {
    await call('POST', DEPLOY, { ...deployment('smp'), spec: { ...(deployment('smp')['spec'] as Json), template: { metadata: { labels: { app: 'smp' } }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } } });
    const strategic = (await call('PATCH', `${DEPLOY}/smp`, { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }] } } } }, 'application/strategic-merge-patch+json')).body;
    expect((((strategic['spec'] as Json)['template'] as Json)['spec'] as Json)['containers']).toEqual([{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }]);
    const json = await call('PATCH', `${DEPLOY}/smp`, [{ op: 'test', path: '/spec/replicas', value: 5 }], 'application/json-patch+json');
    expect(json.status).toBe(422);
    expect((await call('PATCH', `${DEPLOY}/smp`, { spec: {} }, 'text/plain')).status).toBe(415);
  });

  it('validates a dry run without storing it', async () => {
    const dry = await call('POST', `${CM}?dryRun=All`, { metadata: { name: 'dry' }, data: { a: '1' } });
    expect(dry.status).toBe(201);
    expect(dry.body['data']).toEqual({ a: '1' });
    expect((await call('GET', `${CM}/dry`)).status).toBe(404);
  });

  it('answers bad bodies with 400, 422 and 413', async () => {
    expect((await call('POST', CM, '{"metadata":')).status).toBe(400);
    expect((await call('PUT', `${CM}/dup`, { metadata: { name: 'other' } })).body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect((await call('POST', CM, { metadata: { name: 'x', namespace: 'default' } })).status).toBe(422);
    expect((await call('POST', CM, { kind: 'Secret', metadata: { name: 'x' } })).status).toBe(422);
    expect((await call('POST', CM, { metadata: { name: 'big' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 1) } })).body).toMatchObject({ code: 413 });
    expect((await call('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } })).body).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it('deletes with preconditions, and deleting a namespace deletes its contents', async () => {
    const created = (await call('POST', CM, { metadata: { name: 'gone' } })).body;
    const wrongUid = await call('DELETE', `${CM}/gone`, { preconditions: { uid: 'not-the-uid' } });
    expect(wrongUid.status).toBe(409);
    const deleted = await call('DELETE', `${CM}/gone`, { preconditions: { uid: meta(created)['uid'], resourceVersion: rv(created) } });
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps' } });
    expect((await call('GET', `${CM}/gone`)).status).toBe(404);

    await call('POST', '/api/v1/namespaces', { metadata: { name: 'scratch' } });
    await call('POST', '/api/v1/namespaces/scratch/configmaps', { metadata: { name: 'inside' } });
    await call('DELETE', '/api/v1/namespaces/scratch');
    expect((await call('GET', '/api/v1/namespaces/scratch')).status).toBe(404);
    expect((await call('GET', '/api/v1/namespaces/scratch/configmaps/inside')).status).toBe(404);
  });
});

describe('selectors', () => {
  const names = async (query: string): Promise<string[]> =>
    ((await call('GET', `/api/v1/namespaces/default/configmaps?${query}`)).body['items'] as Json[]).map((item) => String(meta(item)['name']));

  beforeAll(async () => {
    for (const [name, labels] of [
      ['red', { color: 'red', size: 'big' }],
      ['blue', { color: 'blue' }],
      ['plain', {}],
    ] as const) {
      await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name, labels } });
    }
  });

  it('selects by label with =, ==, !=, in, notin, exists and !key', async () => {
    expect(await names('labelSelector=color%3Dred')).toEqual(['red']);
    expect(await names('labelSelector=color%3D%3Dblue')).toEqual(['blue']);
    expect(await names('labelSelector=color!%3Dred')).toEqual(['blue', 'plain']);
    expect(await names(`labelSelector=${encodeURIComponent('color in (red, blue)')}`)).toEqual(['blue', 'red']);
    expect(await names(`labelSelector=${encodeURIComponent('color notin (red)')}`)).toEqual(['blue', 'plain']);
    expect(await names('labelSelector=size')).toEqual(['red']);
    expect(await names('labelSelector=!size')).toEqual(['blue', 'plain']);
    expect(await names(`labelSelector=${encodeURIComponent('color,!size')}`)).toEqual(['blue']);
    expect((await call('GET', `/api/v1/configmaps?labelSelector=${encodeURIComponent('color in (red')}`)).status).toBe(400);
  });

  it('selects by metadata.name, metadata.namespace and across namespaces', async () => {
    expect(await names('fieldSelector=metadata.name%3Dblue')).toEqual(['blue']);
    expect(await names('fieldSelector=metadata.name!%3Dblue')).toEqual(['plain', 'red']);
    const all = (await call('GET', '/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault')).body['items'] as Json[];
    expect(all.map((item) => meta(item)['name'])).toEqual(['blue', 'plain', 'red']);
  });

  it('finds the seeded events of a Deployment by involvedObject, as kubectl describe asks', async () => {
    const web = (await call('GET', `${DEPLOY}/web`)).body;
    const query = `fieldSelector=${encodeURIComponent(`involvedObject.name=web,involvedObject.namespace=shop,involvedObject.kind=Deployment,involvedObject.uid=${String(meta(web)['uid'])}`)}`;
    const events = (await call('GET', `/api/v1/namespaces/shop/events?${query}`)).body['items'] as Json[];
    expect(events.map((e) => e['reason'])).toEqual(['ScalingReplicaSet']);
  });
});
