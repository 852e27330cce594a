/**
 * Collaboration on one resource through two built gateways sharing Redis and a sandbox whose
 * controller updates Deployment status every 100 ms: guarded saves, leases, presence, bad input.
 */
import { LockChangedSchema, rebase, type JsonObject, type LockChanged, type PresenceChanged } from '@tandem/sync';
import { TandemRequestError, type TandemClient } from '@tandem/sync/client';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './support/gateway.js';
import { CollabCluster, configMapRef, joinFollowingLeases, metadataOf, webRef, type Json } from './support/collab.js';
import { TARGETS } from './support/cluster.js';
import { eventually, waitUntil } from './support/wait.js';

describe.each(TARGETS)('collaboration through two gateways over %s', (target) => {
let cluster: CollabCluster;
let east: RunningGateway;
let west: RunningGateway;

beforeAll(async () => {
  cluster = await CollabCluster.start(target, { churnMs: 100 });
  [east, west] = await Promise.all([cluster.startGateway(), cluster.startGateway()]);
});

afterAll(async () => {
  await cluster?.close();
});

const WEB_PATH = '/apis/apps/v1/namespaces/shop/deployments/web';

function withAnnotation(object: JsonObject, key: string, value: string): JsonObject {
  const metadata = object['metadata'] as Json;
  return { ...object, metadata: { ...metadata, annotations: { ...((metadata['annotations'] as Json | undefined) ?? {}), [key]: value } } } as JsonObject;
}

function withLabel(object: JsonObject, key: string, value: string): JsonObject {
  const metadata = object['metadata'] as Json;
  return { ...object, metadata: { ...metadata, labels: { ...((metadata['labels'] as Json | undefined) ?? {}), [key]: value } } } as JsonObject;
}

async function saveError(client: TandemClient, payload: Parameters<TandemClient['request']>[1] & object): Promise<TandemRequestError> {
  const error = await client.request('resource:save', payload as never).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TandemRequestError)) throw new Error(`expected the save to be refused, got ${String(error)}`);
  return error;
}

describe('guarded save', () => {
  it('refuses bob\'s stale save, names alice\'s change, and keeps both after bob rebases (the Dashboard scenario)', async () => {
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(west, 'bob');
    const aliceView = await alice.request('resource:join', { ref: webRef });
    const bobView = await bob.request('resource:join', { ref: webRef });

    const saved = await alice.request('resource:save', { ref: webRef, baseResourceVersion: aliceView.resourceVersion, object: withAnnotation(aliceView.object, 'foo', 'bar') });
    expect(saved.changes.map((change) => change.path)).toContain('metadata.annotations.foo');

    const bobEdited = withLabel(bobView.object, 'hello', 'world');
    const stale = await saveError(bob, { ref: webRef, baseResourceVersion: bobView.resourceVersion, object: bobEdited });
    if (stale.failure.code !== 'stale') throw new Error(`bob's save was refused as ${stale.failure.code}, not as stale`);
    const details = stale.failure.details;
    expect(details.upstream).toContainEqual(expect.objectContaining({ path: 'metadata.annotations.foo', after: 'bar' }));
    expect(details.changedBy).toBe('alice');

    const rebased = rebase(bobView.object, bobEdited, details.current);
    expect(rebased.conflicts).toEqual([]);
    await bob.request('resource:save', { ref: webRef, baseResourceVersion: details.resourceVersion, object: rebased.merged as JsonObject });

    const inCluster = metadataOf(await cluster.api('GET', WEB_PATH));
    expect(inCluster['annotations']).toMatchObject({ foo: 'bar' });
    expect(inCluster['labels']).toMatchObject({ hello: 'world' });
    // The cluster's own record names Tandem's field manager for both saves' fields.
    const managers = (inCluster['managedFields'] as { manager: string }[]).map((entry) => entry.manager);
    expect(managers).toContain('tandem');
  });

  it('never lets a save from an older base drop an upstream annotation, whatever base it claims', async () => {
    const carol = await cluster.connect(east, 'carol');
    const before = await carol.request('resource:join', { ref: webRef });
    await cluster.api('PATCH', WEB_PATH, { metadata: { annotations: { keep: 'me' } } }, 'application/merge-patch+json');
    const withoutAnnotation = withLabel(before.object, 'carol', 'was-here');
    for (const baseResourceVersion of [before.resourceVersion, '1', '999999999', 'not-a-version']) {
      const refused = await saveError(carol, { ref: webRef, baseResourceVersion, object: withoutAnnotation });
      expect(refused.code).toBe('stale');
    }
    const inCluster = metadataOf(await cluster.api('GET', WEB_PATH));
    expect(inCluster['annotations']).toMatchObject({ keep: 'me' });
    expect(inCluster['labels']).not.toHaveProperty('carol');
  });

  it('is never blocked by status updates: several saves in a row succeed while status churns', async () => {
    const dave = await cluster.connect(west, 'dave');
    let view = await dave.request('resource:join', { ref: webRef });
    let base = { resourceVersion: view.resourceVersion, object: view.object };
    for (let round = 1; round <= 5; round++) {
      // The controller writes status at least once between saves, so each save's base is stale by a status change.
      const writes = cluster.statusWrites;
      await waitUntil(() => cluster.statusWrites > writes, 'the controller writes status');
      const saved = await dave.request('resource:save', { ref: webRef, baseResourceVersion: base.resourceVersion, object: withLabel(base.object, 'round', String(round)) });
      base = { resourceVersion: saved.resourceVersion, object: saved.object };
    }
    expect((metadataOf(await cluster.api('GET', WEB_PATH))['labels'] as Json)['round']).toBe('5');
    view = await dave.request('resource:join', { ref: webRef });
    expect((metadataOf(view.object)['labels'] as Json)['round']).toBe('5');
  });

  it('answers a dry run without writing', async () => {
    const erin = await cluster.connect(east, 'erin');
    const view = await erin.request('resource:join', { ref: webRef });
    const result = await erin.request('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: withLabel(view.object, 'dry', 'run'), dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(metadataOf(await cluster.api('GET', WEB_PATH))['labels']).not.toHaveProperty('dry');
  });

  it('rejects a save that changes a field another user leases, changing nothing in the cluster', async () => {
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'leased' }, data: { color: 'blue', size: 'm' } });
    const ref = configMapRef('leased');
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(west, 'bob');
    await alice.request('resource:join', { ref });
    const bobView = await bob.request('resource:join', { ref });
    const { lease } = await alice.request('lock:acquire', { ref, path: 'data.color' });

    const refused = await saveError(bob, { ref, baseResourceVersion: bobView.resourceVersion, object: { ...bobView.object, data: { color: 'red', size: 'm' } } });
    expect(refused.code).toBe('locked');
    expect(refused.details).toMatchObject({ path: 'data.color', holder: { owner: 'alice', path: 'data.color' } });
    expect((await cluster.api('GET', '/api/v1/namespaces/shop/configmaps/leased'))['data']).toEqual({ color: 'blue', size: 'm' });

    // A field nobody leases saves fine, and alice's own save releases her lease.
    const bobSaved = await bob.request('resource:save', { ref, baseResourceVersion: bobView.resourceVersion, object: { ...bobView.object, data: { color: 'blue', size: 'l' } } });
    const aliceSaved = await alice.request('resource:save', { ref, baseResourceVersion: bobSaved.resourceVersion, object: { ...bobSaved.object, data: { color: 'green', size: 'l' } } });
    expect(aliceSaved.changes.map((change) => change.path)).toEqual(['data.color']);
    expect(lease.path).toBe('data.color');
    const { leases } = await bob.request('resource:join', { ref });
    expect(leases).toEqual([]);
  });
});

describe('field leases', () => {
  it('grants one holder per field, with overlap checked both ways, and refuses another user\'s token', async () => {
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'overlap' }, data: { a: '1' } });
    const ref = configMapRef('overlap');
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(west, 'bob');
    await alice.request('resource:join', { ref });
    const { book: bobView } = await joinFollowingLeases(bob, ref);

    const { lease } = await alice.request('lock:acquire', { ref, path: 'data.a' });
    await expect(bob.requestAck('lock:acquire', { ref, path: 'data' })).resolves.toMatchObject({ ok: false, error: { code: 'locked', details: { holder: { owner: 'alice', path: 'data.a' } } } });
    await expect(bob.requestAck('lock:acquire', { ref, path: 'data.a' })).resolves.toMatchObject({ ok: false, error: { code: 'locked' } });
    const bobData = await bob.request('lock:acquire', { ref, path: 'metadata.labels' });
    await expect(alice.requestAck('lock:acquire', { ref, path: 'metadata.labels.app' })).resolves.toMatchObject({ ok: false, error: { code: 'locked', details: { holder: { owner: 'bob' } } } });

    await expect(bob.requestAck('lock:release', { ref, path: 'data.a', token: lease.token })).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(bob.requestAck('lock:renew', { ref, path: 'data.a', token: lease.token })).resolves.toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(alice.requestAck('lock:acquire', { ref, path: 'data..a' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const { leases } = await alice.request('resource:join', { ref });
    expect(leases.map((held) => [held.path, held.owner])).toEqual([
      ['data.a', 'alice'],
      ['metadata.labels', 'bob'],
    ]);

    await waitUntil(() => bobView.leases().length === 2, 'bob heard of both leases');
    await bob.request('lock:release', { ref, path: 'metadata.labels', token: bobData.lease.token });
    await waitUntil(() => bobView.leases().length === 1, 'the release reached the room');
    expect(bobView.leases()).toMatchObject([{ path: 'data.a', owner: 'alice', token: lease.token }]);
    // Leaving releases the session's leases.
    await alice.request('resource:leave', { ref });
    await waitUntil(() => bobView.leases().length === 0, 'leaving released alice\'s lease');
  });

  it('tells the room of a crowd of grants and ends in a few deltas, not one event per change', async () => {
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'crowd' }, data: { a: '1' } });
    const ref = configMapRef('crowd');
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(east, 'bob');
    await alice.request('resource:join', { ref });
    const heard: LockChanged[] = [];
    bob.on('lock:changed', (event) => heard.push(event));
    const { book: bobView } = await joinFollowingLeases(bob, ref);

    const paths = Array.from({ length: 30 }, (_, i) => `metadata.labels.crowd${i}`);
    const started = Date.now();
    const granted = await Promise.all(paths.map((path) => alice.request('lock:acquire', { ref, path })));
    await waitUntil(() => bobView.leases().length === paths.length, 'bob saw every lease');
    // The book gives each lease the delta's ref.
    expect(bobView.leases().map((lease) => lease.ref)).toEqual(paths.map(() => ref));
    await Promise.all(granted.map(({ lease }) => alice.request('lock:release', { ref, path: lease.path, token: lease.token })));
    await waitUntil(() => bobView.leases().length === 0, 'bob saw every lease end');
    const elapsedMs = Date.now() - started;

    // 60 changes reached bob in deltas that name each of them, at most one per 100 ms while they keep coming (plus
    // one to open each of the two bursts). How few that is depends on how fast the machine answers; the bench measures it.
    expect(heard.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 100) + 2);
    expect(new Set(heard.flatMap((event) => event.acquired.map((lease) => lease.token)))).toEqual(new Set(granted.map(({ lease }) => lease.token)));
    expect(new Set(heard.flatMap((event) => event.released.map((end) => end.token)))).toEqual(new Set(granted.map(({ lease }) => lease.token)));
    // Each delta names its resource once: the leases in it do not repeat the ref (strict schema).
    for (const event of heard) expect(LockChangedSchema.safeParse(event).error?.issues ?? []).toEqual([]);
  });

  it('lets a lease lapse when its holder stops renewing, telling the room', async () => {
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'lapse' }, data: { a: '1' } });
    const ref = configMapRef('lapse');
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(west, 'bob');
    await alice.request('resource:join', { ref });
    const { book: bobView } = await joinFollowingLeases(bob, ref);
    const { lease } = await alice.request('lock:acquire', { ref, path: 'data.a' });
    await waitUntil(() => bobView.leases().length === 1, 'bob saw the lease');
    await waitUntil(() => bobView.leases().length === 0, 'bob saw the lease lapse');
    await expect(alice.requestAck('lock:renew', { ref, path: 'data.a', token: lease.token })).resolves.toMatchObject({ ok: false, error: { code: 'not-found' } });
    await expect(bob.request('lock:acquire', { ref, path: 'data.a' })).resolves.toMatchObject({ lease: { owner: 'bob' } });
  });
});

describe('presence', () => {
  it('shows users on two gateways to each other, with their field, and removes them when they leave', async () => {
    const alice = await cluster.connect(east, 'alice');
    const bob = await cluster.connect(west, 'bob');
    const aliceHeard: PresenceChanged[] = [];
    alice.on('presence:changed', (event) => aliceHeard.push(event));
    await alice.request('resource:join', { ref: webRef });
    const joined = await bob.request('resource:join', { ref: webRef });
    expect(joined.presence.map((session) => session.user)).toEqual(expect.arrayContaining(['alice', 'bob']));
    await waitUntil(() => aliceHeard.some((event) => event.change === 'joined' && event.session.user === 'bob'), 'alice saw bob join', 500);

    await bob.request('presence:update', { ref: webRef, field: 'spec.replicas' });
    await waitUntil(() => aliceHeard.some((event) => event.change === 'updated' && event.session.field === 'spec.replicas'), 'alice saw bob\'s field');
    const { summary } = await alice.request('presence:summary', { context: webRef.context });
    expect(summary.resources.find((resource) => resource.ref.name === 'web')?.users.map((user) => user.user)).toEqual(expect.arrayContaining(['alice', 'bob']));

    const bobId = bob.id;
    bob.close();
    await waitUntil(() => aliceHeard.some((event) => event.change === 'left' && event.session.user === 'bob' && event.session.sessionId === bobId), 'alice saw bob leave');
  });

  it('refuses presence updates for a resource not joined and bad field paths', async () => {
    const alice = await cluster.connect(east, 'alice');
    await expect(alice.requestAck('presence:update', { ref: webRef, idle: true })).resolves.toMatchObject({ ok: false, error: { code: 'not-joined' } });
    await alice.request('resource:join', { ref: webRef });
    await expect(alice.requestAck('presence:update', { ref: webRef, field: 'spec[' })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});

describe('bad input', () => {
  /** The untyped side of a socket, for sending what the protocol does not allow. */
  interface RawSocket {
    timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
    emit(event: string, ...args: unknown[]): void;
  }

  it('answers malformed and oversized requests with an error, changes nothing, and stays up', async () => {
    const mallory = await cluster.connect(east, 'mallory');
    const view = await mallory.request('resource:join', { ref: webRef });
    const raw = mallory.socket as unknown as RawSocket;
    await expect(raw.timeout(5_000).emitWithAck('lock:acquire', { ref: webRef, path: 5 })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await expect(raw.timeout(5_000).emitWithAck('lock:steal', { ref: webRef })).resolves.toMatchObject({ ok: false, error: { code: 'unknown-event' } });
    await expect(raw.timeout(5_000).emitWithAck('resource:save', { ref: webRef, baseResourceVersion: 7, object: [] })).resolves.toMatchObject({ ok: false, error: { code: 'bad-request' } });

    const renamed = { ...view.object, metadata: { ...(view.object['metadata'] as Json), name: 'other' } } as JsonObject;
    await expect(mallory.requestAck('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: renamed })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    const rekinded = { ...view.object, kind: 'StatefulSet' } as JsonObject;
    await expect(mallory.requestAck('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: rekinded })).resolves.toMatchObject({ ok: false, error: { code: 'invalid' } });
    const huge = withAnnotation(view.object, 'blob', 'x'.repeat(1_200_000));
    await expect(mallory.requestAck('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: huge })).resolves.toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(metadataOf(await cluster.api('GET', WEB_PATH))['name']).toBe('web');
    expect(metadataOf(await cluster.api('GET', WEB_PATH))['annotations']).not.toHaveProperty('blob');

    // Over the socket's message limit: the gateway drops the connection, and only that one.
    const disconnected = new Promise<string>((resolve) => mallory.socket.once('disconnect', (reason) => resolve(reason)));
    raw.emit('resource:save', { ref: webRef, baseResourceVersion: '1', object: { blob: 'x'.repeat(3 * 1024 * 1024) } });
    await expect(disconnected).resolves.toBeTypeOf('string');

    const after = await cluster.connect(east, 'mallory');
    await expect(after.request('resource:join', { ref: webRef })).resolves.toMatchObject({ object: { kind: 'Deployment' } });
    expect((await fetch(`${east.url}/healthz`)).status).toBe(200);
  });

  it('refuses a client speaking another protocol version', async () => {
    const client = cluster.clients.create(west.url, 'alice', { protocol: 99 });
    await expect(client.connected()).rejects.toThrow(/protocol-mismatch/);
  });
});

describe('a context removed from the kubeconfig', () => {
  it('ends the presence and leases held there, so none outlive it when the context comes back', async () => {
    const alice = await cluster.connect(east, 'alice');
    await alice.request('resource:join', { ref: webRef });
    await alice.request('lock:acquire', { ref: webRef, path: 'spec.paused' });
    // Both gateways must have dropped the context before it comes back; each reads the file on its own.
    const watcher = await cluster.connect(west, 'watcher');
    const removedOn = new Set<string>();
    alice.on('contexts:changed', (event) => {
      if (event.removed.includes(webRef.context)) removedOn.add('east');
    });
    watcher.on('contexts:changed', (event) => {
      if (event.removed.includes(webRef.context)) removedOn.add('west');
    });

    const original = await readFile(cluster.kubeconfig, 'utf8');
    await writeFile(cluster.kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\npreferences: {}\n');
    await waitUntil(() => removedOn.size === 2, 'the context to be removed on both gateways');
    await writeFile(cluster.kubeconfig, original);

    // Alice's socket is still connected, but her session there ended with the context.
    const bob = await cluster.connect(west, 'bob');
    // West joins once it has read the restored file again.
    const view = await eventually(() => bob.request('resource:join', { ref: webRef }).catch(() => undefined), 'bob can join the resource once the context is back', 15_000);
    // Had east kept alice's session, its next heartbeat would write her back: wait until east has
    // finished two heartbeats since now (so one ran whole after this point), as its metrics count them.
    const heartbeats = async (): Promise<number> => Number(/^tandem_presence_heartbeats_total (\d+)$/m.exec(await (await fetch(`${east.url}/metrics`)).text())?.[1] ?? Number.NaN);
    const before = await heartbeats();
    await expect.poll(heartbeats, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 2);
    const again = await bob.request('presence:summary', { context: webRef.context });
    expect(view.presence.map((session) => session.user)).toEqual(['bob']);
    expect(view.leases).toEqual([]);
    expect(again.summary.resources.flatMap((resource) => resource.users.map((user) => user.user))).toEqual(['bob']);
  });
});
});
