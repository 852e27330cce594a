import type { JsonObject, PresenceChanged, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';

const ref = (resource: string, name: string, group = ''): ResourceRef => ({ context: 'tandem-sandbox', group, version: 'v1', resource, namespace: 'shop', name });
const web = ref('deployments', 'web', 'apps');
const worker = ref('deployments', 'worker', 'apps');
const webService = ref('services', 'web');

/** Low limits, so that each can be reached in a test; every test acts as its own user (rates are per user). */
const LOW_LIMITS = {
  TANDEM_LIMIT_REQUESTS_PER_SECOND: '40',
  TANDEM_LIMIT_JOINS_PER_MINUTE: '6',
  TANDEM_LIMIT_PRESENCE_PER_SECOND: '5',
  TANDEM_LIMIT_LEASES_PER_MINUTE: '3',
  TANDEM_LIMIT_SAVES_PER_MINUTE: '2',
  TANDEM_LIMIT_HISTORY_PER_MINUTE: '2',
  TANDEM_QUOTA_RESOURCES_PER_SOCKET: '2',
  TANDEM_QUOTA_LIST_WATCHES_PER_SOCKET: '1',
  TANDEM_QUOTA_CONTEXTS_PER_SOCKET: '1',
  TANDEM_QUOTA_LEASES_PER_RESOURCE: '2',
};

const RATE_LIMITED = { ok: false, error: { code: 'rate-limited', details: { retryAfterMs: expect.any(Number) } } };
const OVER_QUOTA = { ok: false, error: { code: 'rate-limited', details: { limit: expect.any(Number) } } };

describe('quotas and rate limits', () => {
  let gateway: InProcessGateway;

  beforeAll(async () => {
    gateway = await startInProcessGateway({ ...LOW_LIMITS, TANDEM_ADMINS: 'auditor' });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('limits joins per user and minute, says when to retry, and keeps the socket working', async () => {
    const client = await gateway.connect('joiner');
    const acks = [];
    for (let i = 0; i < 7; i++) acks.push(await client.requestAck('resource:join', { ref: i % 2 === 0 ? web : worker }));
    expect(acks.slice(0, 6).every((ack) => ack.ok)).toBe(true);
    expect(acks[6]).toMatchObject(RATE_LIMITED);
    const retryAfterMs = !acks[6]?.ok ? acks[6]?.error.details?.['retryAfterMs'] : undefined;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // Other requests go on.
    await expect(client.request('presence:update', { ref: web, field: 'spec.replicas' })).resolves.toEqual({});
  });

  it('limits presence updates per user and second, and coalesces a burst into at most two broadcasts', async () => {
    const mover = await gateway.connect('mover');
    const watcher = await gateway.connect('watcher');
    await mover.request('resource:join', { ref: web });
    await watcher.request('resource:join', { ref: web });
    const heard: PresenceChanged[] = [];
    watcher.on('presence:changed', (event) => {
      if (event.session.user === 'mover' && event.change === 'updated') heard.push(event);
    });
    const acks = await Promise.all(['spec.replicas', 'spec.selector', 'spec.template', 'spec.strategy', 'spec.paused', 'metadata.labels'].map((field) => mover.requestAck('presence:update', { ref: web, field })));
    expect(acks.slice(0, 5).every((ack) => ack.ok)).toBe(true);
    expect(acks[5]).toMatchObject(RATE_LIMITED);
    // The five accepted moves reach the room as the first and then the latest one.
    await vi.waitFor(() => expect(heard.at(-1)?.session.field).toBe('spec.paused'));
    expect(heard.length).toBeLessThanOrEqual(2);
    // The rate is per second: once its window is over, the same move is accepted again.
    await vi.waitFor(async () => expect(await mover.requestAck('presence:update', { ref: web, field: 'spec.replicas' })).toEqual({ ok: true }), { timeout: 15_000, interval: 200 });
  });

  it('limits lease requests per user and minute', async () => {
    const client = await gateway.connect('leaser');
    await client.request('resource:join', { ref: worker });
    const paths = ['spec.replicas', 'spec.paused', 'metadata.labels', 'metadata.annotations'];
    const acks = [];
    for (const path of paths) {
      const ack = await client.requestAck('lock:acquire', { ref: worker, path });
      acks.push(ack);
      if (ack.ok) await client.request('lock:release', { ref: worker, path, token: ack.lease.token });
    }
    expect(acks.slice(0, 3).every((ack) => ack.ok)).toBe(true);
    expect(acks[3]).toMatchObject(RATE_LIMITED);
  });

  it('limits saves (dry runs included) per user and minute, and the refused save writes nothing', async () => {
    const client = await gateway.connect('saver');
    const view = await client.request('resource:join', { ref: webService });
    const labelled = (value: string): JsonObject => ({ ...view.object, metadata: { ...(view.object['metadata'] as JsonObject), labels: { tick: value } } });
    await client.request('resource:save', { ref: webService, baseResourceVersion: view.resourceVersion, object: labelled('dry'), dryRun: true });
    const saved = await client.request('resource:save', { ref: webService, baseResourceVersion: view.resourceVersion, object: labelled('one') });
    const refused = await client.requestAck('resource:save', { ref: webService, baseResourceVersion: saved.resourceVersion, object: { ...saved.object, metadata: { ...(saved.object['metadata'] as JsonObject), labels: { tick: 'two' } } } });
    expect(refused).toMatchObject(RATE_LIMITED);
    const after = await fetch(`${gateway.base}/api/contexts/tandem-sandbox/resources/core/v1/services/web?namespace=shop`);
    expect(((await after.json()) as { metadata: { labels?: Record<string, string> } }).metadata.labels).toEqual({ tick: 'one' });
  });

  it('limits edit history queries per user and minute with 429 and Retry-After', async () => {
    const ask = (): Promise<Response> => fetch(`${gateway.base}/api/history`, { headers: { 'X-Tandem-User': 'auditor' } });
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 429, reason: 'TooManyRequests' } });
  });

  it('stops one connection flooding the gateway, whatever it asks, and lets it go on a second later', async () => {
    const client = await gateway.connect('flooder');
    const acks = await Promise.all(Array.from({ length: 60 }, () => client.requestAck('resource:leave', { ref: ref('configmaps', `ghost-${randomUUID().slice(0, 8)}`) })));
    expect(acks.filter((ack) => ack.ok).length).toBeLessThanOrEqual(40);
    expect(acks.find((ack) => !ack.ok)).toMatchObject(RATE_LIMITED);
    // The guard counts per second: once its window is over, the connection is heard again.
    await vi.waitFor(async () => expect(await client.requestAck('resource:leave', { ref: web })).toEqual({ ok: true }), { timeout: 15_000, interval: 200 });
  });

  it('holds each socket to its quotas of open resources, watched lists, followed contexts and leases per resource', async () => {
    const client = await gateway.connect('hoarder');
    await client.request('resource:join', { ref: web });
    await client.request('resource:join', { ref: worker });
    expect(await client.requestAck('resource:join', { ref: webService })).toMatchObject(OVER_QUOTA);
    await client.request('resource:leave', { ref: worker });
    await expect(client.request('resource:join', { ref: webService })).resolves.toMatchObject({ object: { kind: 'Service' } });

    const list = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop' };
    await client.request('list:watch', { list });
    expect(await client.requestAck('list:watch', { list: { ...list, resource: 'replicasets' } })).toMatchObject(OVER_QUOTA);
    expect(await client.requestAck('presence:summary', { context: 'elsewhere' })).toMatchObject(OVER_QUOTA);
    await expect(client.request('presence:summary', { context: 'tandem-sandbox' })).resolves.toMatchObject({ summary: { context: 'tandem-sandbox' } });

    const other = await gateway.connect('hoarder-two');
    await other.request('resource:join', { ref: web });
    await other.request('lock:acquire', { ref: web, path: 'spec.replicas' });
    await other.request('lock:acquire', { ref: web, path: 'spec.paused' });
    expect(await other.requestAck('lock:acquire', { ref: web, path: 'spec.strategy' })).toMatchObject(OVER_QUOTA);
  });
});

describe('rate limits shared by gateways through Redis', () => {
  const prefix = `tandem-limits-${randomUUID().slice(0, 8)}`;
  let east: InProcessGateway;
  let west: InProcessGateway;

  beforeAll(async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', TANDEM_REDIS_PREFIX: prefix, TANDEM_LIMIT_JOINS_PER_MINUTE: '3' };
    [east, west] = await Promise.all([startInProcessGateway(env), startInProcessGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([east?.close(), west?.close()]);
  });

  it("counts a user's joins on every gateway against one budget", async () => {
    const onEast = await east.connect('roamer');
    const onWest = await west.connect('roamer');
    await onEast.request('resource:join', { ref: web });
    await onWest.request('resource:join', { ref: web });
    await onEast.request('resource:join', { ref: worker });
    expect(await onWest.requestAck('resource:join', { ref: worker })).toMatchObject(RATE_LIMITED);
    // Another user has a budget of their own.
    const other = new TandemClient({ url: west.base, user: 'settler', reconnection: false });
    await other.connected();
    await expect(other.request('resource:join', { ref: worker })).resolves.toMatchObject({ object: { kind: 'Deployment' } });
    other.close();
  });
});
