/**
 * Shared watches, the socket handshake and the resources REST API of the built gateway, against
 * a cluster the test owns, the sandbox and a real kube-apiserver (reached through a TCP proxy, so
 * the test can cut the gateway's watch).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceChanged, ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { ClientPool } from './support/clients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { kubectl, writeReplacingEditor } from './support/kubectl.js';
import { TARGETS, endpointOf, startCluster, type TestCluster } from './support/cluster.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { waitUntil } from './support/wait.js';

type Json = Record<string, unknown>;

const CONTEXT = 'lab';
const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const configMapRef = (name: string): ResourceRef => ({ context: CONTEXT, group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name });

/** The untyped side of a socket, for sending what the protocol does not allow. */
interface RawSocket {
  emit(event: string, ...args: unknown[]): void;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

const rvOf = (object: Json): string => String((object['metadata'] as Json)['resourceVersion']);

describe.each(TARGETS)('the gateway over %s', (target) => {
let home: string;
let cluster: TestCluster;
let proxy: TcpProxy;
let gateway: RunningGateway;
const clients = new ClientPool();
const connect = (user = 'alice'): Promise<TandemClient> => clients.connect(gateway.url, user);
const sandboxApi = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<Json> =>
  cluster.api(method, path, body, contentType);

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tandem-watches-'));
  cluster = await startCluster(target);
  proxy = await startTcpProxy(endpointOf(cluster.url));
  // The gateway reaches the cluster only through the proxy; kubectl and the test talk to it directly.
  const kubeconfig = join(home, 'lab.kubeconfig');
  await cluster.writeKubeconfig(kubeconfig, { context: CONTEXT, namespace: 'shop', server: proxy.url });
  await cluster.writeKubeconfig(join(home, 'direct.kubeconfig'), { context: CONTEXT, namespace: 'shop' });
  gateway = await startGateway({ env: { HOME: home, KUBECONFIG: kubeconfig, TANDEM_SANDBOX: 'off' } });
}, 600_000);

afterAll(async () => {
  clients.closeAll();
  await gateway?.stop();
  await proxy?.close();
  await cluster?.close();
  await rm(home, { recursive: true, force: true });
});

describe('resource:changed from a shared watch', () => {
  it('delivers a kubectl edit to a subscribed client with its version, changed paths and manager kubectl-edit', async () => {
    const client = await connect();
    const joined = await client.request('resource:join', { ref: webRef });
    expect(joined.object['kind']).toBe('Deployment');
    const events: ResourceChanged[] = [];
    client.on('resource:changed', (event) => events.push(event));

    const editor = await writeReplacingEditor(home, 'image: nginx:1.27', 'image: nginx:1.28');
    const result = await kubectl(['edit', 'deploy/web', '-n', 'shop'], { kubeconfig: join(home, 'direct.kubeconfig'), home: join(home, 'kubectl-home'), env: { KUBE_EDITOR: editor } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const current = await sandboxApi('GET', '/apis/apps/v1/namespaces/shop/deployments/web');
    const edited = (): ResourceChanged | undefined => events.find((event) => event.resourceVersion === rvOf(current));
    // How fast it arrives is measured by npm run bench; here it must arrive, once, as kubectl's edit.
    await waitUntil(() => edited() !== undefined, 'the kubectl edit reached the client');
    expect(edited()).toMatchObject({
      ref: webRef,
      type: 'MODIFIED',
      manager: 'kubectl-edit',
      statusOnly: false,
      paths: expect.arrayContaining(['spec.template.spec.containers[name=web].image']),
    });
    expect(Number(edited()?.resourceVersion)).toBeGreaterThan(Number(joined.resourceVersion));
  });

  it('recovers from a cut watch whose version expired by relisting, reporting each version once and in order', async () => {
    await sandboxApi('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'flaky' }, data: { step: '0' } });
    await sandboxApi('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'doomed' }, data: {} });
    const client = await connect('bob');
    await client.request('resource:join', { ref: configMapRef('flaky') });
    await client.request('resource:join', { ref: configMapRef('doomed') });
    const events: ResourceChanged[] = [];
    client.on('resource:changed', (event) => events.push(event));
    const patch = (step: number): Promise<Json> =>
      sandboxApi('PATCH', '/api/v1/namespaces/shop/configmaps/flaky', { data: { step: String(step) } }, 'application/merge-patch+json');

    const first = await patch(1);
    await waitUntil(() => events.some((event) => event.resourceVersion === rvOf(first)), 'the first change arrived over the live watch');

    proxy.suspend();
    for (let step = 2; step <= 4; step++) await patch(step);
    await sandboxApi('DELETE', '/api/v1/namespaces/shop/configmaps/doomed');
    await cluster.forgetHistory();
    const final = await patch(5);
    proxy.resume();

    const flaky = (): ResourceChanged[] => events.filter((event) => event.ref.name === 'flaky');
    await waitUntil(() => flaky().some((event) => event.resourceVersion === rvOf(final)), 'the final version arrived after the relist', 30_000);
    await waitUntil(() => events.some((event) => event.ref.name === 'doomed' && event.type === 'DELETED'), 'the deletion made while cut off arrived');

    const versions = flaky().map((event) => Number(event.resourceVersion));
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions.at(0)).toBe(Number(rvOf(first)));
    expect(versions.at(-1)).toBe(Number(rvOf(final)));
    expect(flaky().at(-1)?.object?.['data']).toEqual({ step: '5' });

    // The relisted watch is live again.
    const after = await patch(6);
    await waitUntil(() => flaky().some((event) => event.resourceVersion === rvOf(after)), 'a change after the recovery arrived');

    // An operator sees the relist, and why, in /metrics.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    // Every watch behind the cut relisted: on hearing 410 Expired (`expired`), or when its first try to
    // resume broke on the cut (`failed`).
    const relists = (reason: string): number => Number(new RegExp(`^tandem_watch_relists_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(relists('expired') + relists('failed')).toBeGreaterThanOrEqual(1);
    expect({ error: relists('error'), restart: relists('restart') }).toEqual({ error: 0, restart: 0 });
    expect(metrics).toMatch(/^tandem_watch_reconnects_total [1-9]\d*$/m);
  });
});

describe('socket handshake and request validation', () => {
  it('refuses a connection without a user', async () => {
    const client = clients.create(gateway.url, '');
    await expect(client.connected()).rejects.toThrow(/^unauthenticated: user/);
  });

  it('refuses a client speaking another protocol version, naming both', async () => {
    const client = clients.create(gateway.url, 'alice', { protocol: 2 });
    await expect(client.connected()).rejects.toThrow('protocol-mismatch: server speaks 1, client sent 2');
  });

  it('answers a malformed resource:join with bad-request naming the field, and an unknown event with unknown-event', async () => {
    const client = await connect();
    const malformed = await client.requestAck('resource:join', { ref: { ...webRef, name: '' } });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(malformed.ok ? '' : malformed.error.message).toContain('ref.name');

    const raw = client.socket as unknown as RawSocket;
    await expect(raw.timeout(5_000).emitWithAck('resource:teleport', { to: 'mars' })).resolves.toMatchObject({ ok: false, error: { code: 'unknown-event' } });
    raw.emit('resource:join', 'no ack callback');
    raw.emit('resource:teleport');

    // The socket and the gateway are still fine.
    const joined = await client.request('resource:join', { ref: webRef });
    expect(joined.object['kind']).toBe('Deployment');
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('answers a join of an object that does not exist with not-found', async () => {
    const client = await connect();
    const ack = await client.requestAck('resource:join', { ref: { ...webRef, name: 'nope' } });
    expect(ack).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('resources REST API', () => {
  const api = (path: string): Promise<Response> => fetch(`${gateway.url}/api/contexts/${path}`);

  it('lists the resource types the cluster serves', async () => {
    const types = (await (await api(`${CONTEXT}/resources`)).json()) as Json[];
    expect(types).toContainEqual(expect.objectContaining({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true }));
  });

  it('lists with the list resourceVersion and reads one object', async () => {
    const list = (await (await api(`${CONTEXT}/resources/apps/v1/deployments?namespace=shop`)).json()) as { resourceVersion: string; items: Json[] };
    expect(list.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((item) => (item['metadata'] as Json)['name'])).toContain('web');
    const web = (await (await api(`${CONTEXT}/resources/apps/v1/deployments/web?namespace=shop`)).json()) as Json;
    expect(web).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } });
  });

  it('serves the JSON schema of a kind and a clear 404 for an unknown kind', async () => {
    const schema = (await (await api(`${CONTEXT}/schemas/apps/v1/Deployment`)).json()) as Json;
    expect(schema).toMatchObject({ type: 'object', properties: expect.objectContaining({ spec: expect.any(Object) }) });
    const unknown = await api(`${CONTEXT}/schemas/apps/v1/Spaceship`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('Spaceship');
  });

  it('answers an unknown context with a 404 JSON error', async () => {
    const response = await api('nowhere/resources/apps/v1/deployments/web?namespace=shop');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, message: expect.stringContaining('nowhere') } });
  });
});
});
