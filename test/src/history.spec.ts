/**
 * The edit history of the built gateway with Redis: the Dashboard scenario (alice saves, bob's stale
 * save is blocked, bob saves after rebasing) plus a kubectl edit; Secret values never in clear in
 * the raw stream; entries surviving a gateway restart; admins only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { ClientPool } from './support/clients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS, startCluster, type TestCluster } from './support/cluster.js';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { kubectl, writeReplacingEditor } from './support/kubectl.js';
import { eventually } from './support/wait.js';

const CONTEXT = 'lab';
const ADMIN = 'root-admin';
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const secretRef: ResourceRef = { context: CONTEXT, group: '', version: 'v1', resource: 'secrets', namespace: 'shop', name: 'web-credentials' };

interface Entry {
  readonly id: string;
  readonly actor: string;
  readonly outside: boolean;
  readonly action: string;
  readonly outcome: string;
  readonly fromResourceVersion?: string;
  readonly toResourceVersion?: string;
  readonly changes: { path: string; op: string; before?: unknown; after?: unknown }[];
}
interface Page {
  readonly entries: Entry[];
  readonly nextCursor?: string;
}

describe.each(TARGETS)('edit history over %s', (target) => {
const prefix = `tandem-history-test-${randomUUID()}`;
let home: string;
let sandbox: TestCluster;
let gateway: RunningGateway;
const clients = new ClientPool();
const connect = (user: string): Promise<TandemClient> => clients.connect(gateway.url, user);

function start(): Promise<RunningGateway> {
  return startGateway({ env: { HOME: home, KUBECONFIG: join(home, 'lab.kubeconfig'), TANDEM_SANDBOX: 'off', REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix, TANDEM_ADMINS: `${ADMIN},other-admin` } });
}

async function history(query: string, user = ADMIN): Promise<Response> {
  return fetch(`${gateway.url}/api/history${query}`, { headers: { 'X-Tandem-User': user } });
}

async function historyOf(ref: ResourceRef): Promise<Entry[]> {
  const response = await history(`?context=${ref.context}&resource=${ref.resource}&namespace=${ref.namespace ?? ''}&name=${ref.name}&limit=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as Page).entries;
}

const metadataOf = (object: JsonObject): JsonObject => object['metadata'] as JsonObject;
const withMetadata = (object: JsonObject, key: 'labels' | 'annotations', name: string, value: string): JsonObject => {
  const metadata = metadataOf(object);
  return { ...object, metadata: { ...metadata, [key]: { ...((metadata[key] as JsonObject | undefined) ?? {}), [name]: value } } };
};

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tandem-history-'));
  sandbox = await startCluster(target);
  await sandbox.writeKubeconfig(join(home, 'lab.kubeconfig'), { context: CONTEXT, namespace: 'shop' });
  await sandbox.writeKubeconfig(join(home, 'direct.kubeconfig'), { context: CONTEXT, namespace: 'shop' });
  gateway = await start();
});

afterAll(async () => {
  clients.closeAll();
  await gateway?.stop();
  await sandbox?.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`{${prefix}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await rm(home, { recursive: true, force: true });
});

/**
 * Polls the resource's history until it has at least `count` entries. On timeout it returns what
 * it last read, so the caller's assertion shows which entries are missing.
 */
async function entriesOnce(ref: ResourceRef, count: number): Promise<Entry[]> {
  let entries: Entry[] = [];
  await eventually(
    async () => {
      entries = await historyOf(ref);
      return entries.length >= count;
    },
    `the history of ${ref.name} holds ${count} entries`,
    15_000,
  ).catch(() => undefined);
  return entries;
}

describe('edit history', () => {
  it('shows exactly the Dashboard scenario plus a kubectl edit, with actors, outcomes, versions and diffs', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const base = await alice.request('resource:join', { ref: webRef });
    const bobBase = await bob.request('resource:join', { ref: webRef });
    expect(bobBase.resourceVersion).toBe(base.resourceVersion);

    const aliceSave = await alice.request('resource:save', { ref: webRef, baseResourceVersion: base.resourceVersion, object: withMetadata(base.object, 'annotations', 'team', 'payments') });
    const stale = await bob.requestAck('resource:save', { ref: webRef, baseResourceVersion: bobBase.resourceVersion, object: withMetadata(bobBase.object, 'labels', 'reviewed-by', 'bob') });
    expect(stale).toMatchObject({ ok: false, error: { code: 'stale' } });
    // Bob rebases onto alice's version and saves again.
    const bobSave = await bob.request('resource:save', { ref: webRef, baseResourceVersion: aliceSave.resourceVersion, object: withMetadata(aliceSave.object, 'labels', 'reviewed-by', 'bob') });

    const editor = await writeReplacingEditor(home, 'image: nginx:1.27', 'image: nginx:1.28');
    const { code, stderr } = await kubectl(['edit', 'deploy/web', '-n', 'shop'], { kubeconfig: join(home, 'direct.kubeconfig'), home: join(home, 'kubectl-home'), env: { KUBE_EDITOR: editor } });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const current = (await sandbox.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web')) as JsonObject;
    const kubectlVersion = String(metadataOf(current)['resourceVersion']);

    const entries = await entriesOnce(webRef, 4);
    expect(entries.map(({ actor, outside, action, outcome, fromResourceVersion, toResourceVersion }) => ({ actor, outside, action, outcome, fromResourceVersion, toResourceVersion }))).toEqual([
      { actor: 'kubectl-edit', outside: true, action: 'update', outcome: 'observed', fromResourceVersion: bobSave.resourceVersion, toResourceVersion: kubectlVersion },
      { actor: 'bob', outside: false, action: 'save', outcome: 'applied', fromResourceVersion: aliceSave.resourceVersion, toResourceVersion: bobSave.resourceVersion },
      { actor: 'bob', outside: false, action: 'save', outcome: 'blocked-stale', fromResourceVersion: base.resourceVersion, toResourceVersion: aliceSave.resourceVersion },
      { actor: 'alice', outside: false, action: 'save', outcome: 'applied', fromResourceVersion: base.resourceVersion, toResourceVersion: aliceSave.resourceVersion },
    ]);
    const [kubectlEntry, bobApplied, bobBlocked, aliceApplied] = entries;
    expect(kubectlEntry?.changes).toEqual([{ path: 'spec.template.spec.containers[name=web].image', op: 'replace', before: 'nginx:1.27', after: 'nginx:1.28' }]);
    expect(bobApplied?.changes).toEqual([{ path: 'metadata.labels.reviewed-by', op: 'add', after: 'bob' }]);
    expect(bobBlocked?.changes).toEqual([{ path: 'metadata.labels.reviewed-by', op: 'add', after: 'bob' }]);
    expect(aliceApplied?.changes).toEqual([{ path: 'metadata.annotations.team', op: 'add', after: 'payments' }]);

    // One entry with its diff, and the whole query as NDJSON.
    const one = await history(`/${aliceApplied?.id ?? ''}`);
    expect(await one.json()).toEqual(aliceApplied);
    const exported = await history(`/export?context=${CONTEXT}&name=web`);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line) as Entry);
    expect(lines.map((line) => line.id)).toEqual(entries.map((entry) => entry.id));
  }, 60_000);

  it('never stores a Secret value in clear: the raw Redis stream holds only hashes', async () => {
    const alice = await connect('alice');
    const joined = await alice.request('resource:join', { ref: secretRef });
    const oldData = joined.object['data'] as JsonObject;
    const newPassword = Buffer.from('brand-new-password-42').toString('base64');
    await alice.request('resource:save', { ref: secretRef, baseResourceVersion: joined.resourceVersion, object: { ...joined.object, data: { ...oldData, password: newPassword } } });
    const [saved] = await entriesOnce(secretRef, 1);
    // An outside rotation of another key, observed through the shared watch.
    const rotatedToken = Buffer.from('rotated-token-99').toString('base64');
    const current = (await sandbox.api('GET', '/api/v1/namespaces/shop/secrets/web-credentials')) as JsonObject;
    const rotation = await sandbox.request('PUT', '/api/v1/namespaces/shop/secrets/web-credentials?fieldManager=secret-rotator', { ...current, data: { ...(current['data'] as JsonObject), 'api-token': rotatedToken } });
    expect(rotation.status).toBe(200);
    const [rotated] = await entriesOnce(secretRef, 2);
    expect(rotated).toMatchObject({ actor: 'secret-rotator', outside: true, outcome: 'observed', changes: [{ path: 'data.api-token', op: 'replace', after: { redacted: true } }] });
    expect(saved?.changes).toEqual([{ path: 'data.password', op: 'replace', before: { redacted: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, after: { redacted: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } }]);
    expect(saved?.changes[0]?.before).not.toEqual(saved?.changes[0]?.after);

    const redis = new Redis(redisUrl);
    try {
      const raw = JSON.stringify(await redis.xrange(`{${prefix}}:history`, '-', '+'));
      expect(raw).toContain('data.password');
      expect(raw).toContain('data.api-token');
      for (const secret of [newPassword, 'brand-new-password-42', String(oldData['password']), 'not-a-real-password', String(oldData['api-token']), 'sandbox-api-token', rotatedToken, 'rotated-token-99']) {
        expect(raw).not.toContain(secret);
      }
    } finally {
      await redis.quit();
    }
  }, 30_000);

  it('answers 401 without an identity and 403 to a user who is not an admin', async () => {
    const anonymous = await fetch(`${gateway.url}/api/history`);
    expect(anonymous.status).toBe(401);
    const bob = await history('', 'bob');
    expect(bob.status).toBe(403);
    expect(await bob.json()).toEqual({ error: { code: 403, reason: 'Forbidden', message: 'The edit history is for admins only; bob is not listed in TANDEM_ADMINS' } });
    expect((await history(`/export`, 'bob')).status).toBe(403);
    expect((await history('?outcome=won', 'other-admin')).status).toBe(400);
  });

  it('keeps every entry across a gateway restart', async () => {
    const before = ((await (await history('?limit=1000')).json()) as Page).entries;
    expect(before.length).toBeGreaterThanOrEqual(5);
    clients.closeAll();
    await gateway.stop();
    gateway = await start();
    const after = ((await (await history('?limit=1000')).json()) as Page).entries;
    expect(after).toEqual(before);
  }, 60_000);
});
});
