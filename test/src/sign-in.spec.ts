/**
 * Sign-in and the cluster's RBAC, on a real kube-apiserver: the gateway acts as each signed-in user
 * (impersonation in proxy mode, the user's own token in token mode), so the cluster decides what
 * they may read and write. The gateway's own credential may only impersonate, review access and
 * read what shared watches read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemRequestError, type TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from './support/clients.js';
import { startCluster, TARGETS, type TestCluster } from './support/cluster.js';
import { grantRoles, writeGatewayKubeconfig } from './support/rbac.js';
import { startGateway, type RunningGateway } from './support/gateway.js';

const CONTEXT = 'lab';
const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const secretRef: ResourceRef = { context: CONTEXT, group: '', version: 'v1', resource: 'secrets', namespace: 'shop', name: 'web-credentials' };
function withLabel(object: JsonObject, key: string, value: string): JsonObject {
  const metadata = object['metadata'] as JsonObject;
  return { ...object, metadata: { ...metadata, labels: { ...((metadata['labels'] as JsonObject | undefined) ?? {}), [key]: value } } };
}

async function refusal(promise: Promise<unknown>): Promise<TandemRequestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TandemRequestError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

// Sign-in is about the cluster's RBAC, which only a real API server has.
describe.skipIf(!TARGETS.includes('kube-apiserver'))('sign-in on a real cluster', () => {
let cluster: TestCluster;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tandem-sign-in-'));
  cluster = await startCluster('kube-apiserver');
  await grantRoles(cluster);
  await writeGatewayKubeconfig(cluster, home, CONTEXT);
});

afterAll(async () => {
  await cluster?.close();
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

describe('proxy sign-in: identity from the authenticating proxy, every cluster call impersonated', () => {
  let gateway: RunningGateway;
  const clients = new ClientPool();
  const as = (user: string, groups: string): Promise<TandemClient> => {
    const client = clients.create(gateway.url, '', { extraHeaders: { 'x-forwarded-user': user, 'x-forwarded-groups': groups } });
    return client.connected().then(() => client);
  };
  const rest = (path: string, user: string, groups: string): Promise<Response> => fetch(`${gateway.url}${path}`, { headers: { 'x-forwarded-user': user, 'x-forwarded-groups': groups } });

  beforeAll(async () => {
    gateway = await startGateway({
      env: { KUBECONFIG: join(home, 'gateway.kubeconfig'), TANDEM_SANDBOX: 'off', TANDEM_AUTH: 'proxy', TANDEM_TRUSTED_PROXIES: '127.0.0.1,::1', TANDEM_ACCESS_CACHE_MS: '1000' },
    });
  });

  afterAll(async () => {
    clients.closeAll();
    await gateway?.stop();
  });

  it('refuses a handshake without the proxy\'s user, and ignores a name typed into the handshake', async () => {
    const anonymous = clients.create(gateway.url, 'admin');
    await expect(anonymous.connected()).rejects.toThrow(/^unauthenticated: not signed in: the proxy sent no x-forwarded-user header/);
    // A forged name in the payload does not make bob an admin: the proxy's header says who he is.
    const forged = clients.create(gateway.url, 'admin', { extraHeaders: { 'x-forwarded-user': 'bob', 'x-forwarded-groups': 'tandem:viewers' } });
    await forged.connected();
    const joined = await forged.request('resource:join', { ref: webRef });
    expect(joined.presence.map((session) => session.user)).toContain('bob');
    expect(joined.presence.map((session) => session.user)).not.toContain('admin');
  });

  it('lets a viewer open shop/web but not save it: the cluster refuses the write as forbidden and nothing changes', async () => {
    const viewer = await as('vera', 'tandem:viewers');
    const view = await viewer.request('resource:join', { ref: webRef });
    const error = await refusal(viewer.request('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: withLabel(view.object, 'forged', 'yes') }));
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('User "vera" cannot update resource "deployments"');
    const inCluster = await cluster.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web');
    expect((inCluster['metadata'] as JsonObject)['labels']).not.toHaveProperty('forged');
    // The editor tells her before she types.
    const access = await (await rest(`/api/contexts/${CONTEXT}/access?verb=update&group=apps&resource=deployments&namespace=shop&name=web`, 'vera', 'tandem:viewers')).json();
    expect(access).toEqual({ allowed: false, reason: 'vera may not update deployments.apps in shop' });
  });

  it('lets an editor save, and the cluster records the write as hers', async () => {
    const alice = await as('alice', 'tandem:editors');
    const view = await alice.request('resource:join', { ref: webRef });
    const saved = await alice.request('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: withLabel(view.object, 'reviewed-by', 'alice') });
    expect(saved.resourceVersion).not.toBe(view.resourceVersion);
    const inCluster = await cluster.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web');
    expect((inCluster['metadata'] as JsonObject)['labels']).toMatchObject({ 'reviewed-by': 'alice' });
    const access = await (await rest(`/api/contexts/${CONTEXT}/access?verb=update&group=apps&resource=deployments&namespace=shop&name=web`, 'alice', 'tandem:editors')).json();
    expect(access).toEqual({ allowed: true, reason: '' });
  });

  it('gives a user who may not get Secrets not one byte of one, over the socket or REST', async () => {
    const alice = await as('alice', 'tandem:editors');
    const error = await refusal(alice.request('resource:join', { ref: secretRef }));
    expect(error.code).toBe('forbidden');
    expect(error.message).not.toContain('c2FuZGJveC1hcGktdG9rZW4');
    const listed = await refusal(alice.request('list:watch', { list: { context: CONTEXT, group: '', version: 'v1', resource: 'secrets', namespace: 'shop' } }));
    expect(listed.code).toBe('forbidden');
    for (const path of [`/api/contexts/${CONTEXT}/resources/core/v1/secrets?namespace=shop`, `/api/contexts/${CONTEXT}/resources/core/v1/secrets/web-credentials?namespace=shop`]) {
      const response = await rest(path, 'alice', 'tandem:editors');
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).not.toContain('c2FuZGJveC1hcGktdG9rZW4');
      expect(body).toContain('cannot');
    }
  });

  it('shows the edit history only to those the cluster lets get /tandem/history', async () => {
    const refused = await rest('/api/history?limit=5', 'alice', 'tandem:editors');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('may read it in no context');
    const granted = await rest('/api/history?limit=50', 'carol', '');
    expect(granted.status).toBe(200);
    const page = (await granted.json()) as { entries: { actor: string; outcome: string }[] };
    expect(page.entries).toContainEqual(expect.objectContaining({ actor: 'alice', outcome: 'applied' }));
    expect(page.entries).toContainEqual(expect.objectContaining({ actor: 'vera', outcome: 'rejected-by-cluster' }));
  });
});

describe('token sign-in: a Kubernetes bearer token, checked by a TokenReview and used as the user\'s own credential', () => {
  let gateway: RunningGateway;
  const clients = new ClientPool();

  beforeAll(async () => {
    gateway = await startGateway({ env: { KUBECONFIG: join(home, 'gateway.kubeconfig'), TANDEM_SANDBOX: 'off', TANDEM_AUTH: 'token', TANDEM_TOKEN_CONTEXT: CONTEXT } });
  });

  afterAll(async () => {
    clients.closeAll();
    await gateway?.stop();
  });

  const signIn = (token: string): Promise<Response> => fetch(`${gateway.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });

  it('refuses a token the cluster does not know, and a socket without a session', async () => {
    const refused = await signIn('not-a-real-token');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const anonymous = clients.create(gateway.url, 'alice');
    await expect(anonymous.connected()).rejects.toThrow(/^unauthenticated: not signed in/);
  });

  it('signs alice in with her token; her socket saves as her, and a viewer\'s token cannot', async () => {
    const env = cluster.kubeEnv;
    if (env === undefined) throw new Error('no harness');
    const signedIn = await signIn(env.token('alice'));
    expect(signedIn.status).toBe(201);
    expect(await signedIn.json()).toEqual({ mode: 'token', user: 'alice', groups: expect.arrayContaining(['tandem:editors']) });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(signedIn.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const alice = clients.create(gateway.url, '', { extraHeaders: { cookie } });
    await alice.connected();
    const view = await alice.request('resource:join', { ref: webRef });
    await alice.request('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: withLabel(view.object, 'token-signed', 'alice') });
    const inCluster = await cluster.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web');
    expect((inCluster['metadata'] as JsonObject)['labels']).toMatchObject({ 'token-signed': 'alice' });
    expect(await (await fetch(`${gateway.url}/auth/me`, { headers: { cookie } })).json()).toMatchObject({ mode: 'token', user: 'alice' });

    const viewerCookie = ((await signIn(env.token('viewer'))).headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const viewer = clients.create(gateway.url, '', { extraHeaders: { cookie: viewerCookie } });
    await viewer.connected();
    const viewerView = await viewer.request('resource:join', { ref: webRef });
    const error = await refusal(viewer.request('resource:save', { ref: webRef, baseResourceVersion: viewerView.resourceVersion, object: withLabel(viewerView.object, 'forged', 'viewer') }));
    expect(error.code).toBe('forbidden');

    // Signing out clears the cookie.
    const out = await fetch(`${gateway.url}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/tandem_session=;.*Max-Age=0/i);
  });
});

describe('dev sign-in', () => {
  it('refuses to start on a non-loopback HOST unless forced', async () => {
    await expect(startGateway({ env: { HOST: '0.0.0.0', TANDEM_SANDBOX: 'off' } })).rejects.toThrow(/TANDEM_AUTH=dev: anyone who reaches HOST=0\.0\.0\.0 could type any name/);
  });
});
});
