/**
 * Several built gateways behind one Redis: rooms span gateways, watch changes reach each client
 * once, leases stay exclusive under a race, and a dead gateway's or client's state lapses.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { overlaps, type LeaseBook, type PresenceChanged, type ResourceChanged } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from './support/gateway.js';
import { CollabCluster, configMapRef, joinFollowingLeases, webRef, workspaceRootOf } from './support/collab.js';
import { kubectl, writeReplacingEditor } from './support/kubectl.js';
import { waitUntil } from './support/wait.js';

let cluster: CollabCluster;
let east: RunningGateway;
let west: RunningGateway;

beforeAll(async () => {
  cluster = await CollabCluster.start('sandbox');
  [east, west] = await Promise.all([cluster.startGateway(), cluster.startGateway()]);
});

afterAll(async () => {
  await cluster?.close();
});

describe('a lease raced for by 50 clients on two gateways', () => {
  it('has exactly one holder at any moment, as acks and lock:changed show on both gateways', async () => {
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'race' }, data: { hot: '0' } });
    const ref = configMapRef('race');
    const clients: TandemClient[] = await Promise.all(Array.from({ length: 50 }, (_, index) => cluster.connect(index % 2 === 0 ? east : west, `user${index}`)));
    // Each client's view of the leases, checked after every delta it hears: never two holders of overlapping fields.
    let mostHolders = 0;
    const holdersOfData = (book: LeaseBook): number => book.leases().filter((lease) => overlaps(lease.path, 'data')).length;
    const views = await Promise.all(clients.map((client) => joinFollowingLeases(client, ref, (book) => (mostHolders = Math.max(mostHolders, holdersOfData(book))))));
    // Every grant the room hears of, as sent: only the race winners may appear.
    const grantsHeard = new Set<number>();
    for (const client of clients) client.on('lock:changed', (event) => event.acquired.forEach((lease) => grantsHeard.add(lease.token)));

    const acks = await Promise.all(clients.map((client) => client.requestAck('lock:acquire', { ref, path: 'data.hot' })));
    const winners = acks.filter((ack) => ack.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    if (winner === undefined || !winner.ok) throw new Error('no winner');
    for (const ack of acks) if (!ack.ok) expect(ack.error).toMatchObject({ code: 'locked', details: { holder: { token: winner.lease.token } } });

    // The room never saw two holders of the field, and everyone ends up seeing the winner.
    await waitUntil(() => views.every(({ book }) => book.leases().some((lease) => lease.token === winner.lease.token)), 'every client saw the lease');
    expect(mostHolders).toBe(1);

    // Hand-over: the winner releases, the rest race again, again exactly one wins.
    const holderIndex = acks.indexOf(winner);
    await clients[holderIndex]?.request('lock:release', { ref, path: 'data.hot', token: winner.lease.token });
    const second = await Promise.all(clients.filter((_, index) => index !== holderIndex).map((client) => client.requestAck('lock:acquire', { ref, path: 'data' })));
    const secondWinners = second.filter((ack) => ack.ok);
    expect(secondWinners).toHaveLength(1);
    const heir = secondWinners[0]?.lease.token;
    await waitUntil(() => views.every(({ book }) => book.leases().length === 1 && book.leases()[0]?.token === heir), 'every client saw the hand-over');
    expect(mostHolders).toBe(1);
    expect([...grantsHeard].sort((a, b) => a - b)).toEqual([winner.lease.token, heir]);
    for (const client of clients) client.close();
  });
});

describe('lease announcements on a busy resource', () => {
  it('tell each client of every lease change once, in at most one delta per 100 ms however many gateways made the changes', async () => {
    const keys = Array.from({ length: 10 }, (_, index) => `k${index}`);
    await cluster.api('POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'busy' }, data: Object.fromEntries(keys.map((key) => [key, '0'])) });
    const ref = configMapRef('busy');
    const observers = await Promise.all([east, west].map((gateway, index) => cluster.connect(gateway, `observer${index}`)));
    const heard = observers.map(() => ({ deltas: 0, grants: [] as number[], ends: [] as number[] }));
    observers.forEach((observer, index) => {
      const tally = heard[index];
      observer.on('lock:changed', (event) => {
        if (tally === undefined || event.ref.name !== ref.name) return;
        tally.deltas++;
        tally.grants.push(...event.acquired.map((lease) => lease.token));
        tally.ends.push(...event.released.map((lease) => lease.token));
      });
    });
    const views = await Promise.all(observers.map((observer) => joinFollowingLeases(observer, ref)));
    const workers = await Promise.all(keys.map((_, index) => cluster.connect(index % 2 === 0 ? east : west, `worker${index}`)));
    await Promise.all(workers.map((worker) => worker.request('resource:join', { ref })));

    // Each worker takes and gives back its own field as fast as it can, on both gateways at once, a fixed number of
    // times: how many rounds fit in a time window would depend on the machine.
    const ROUNDS = 6;
    const started = Date.now();
    const granted: number[] = [];
    await Promise.all(
      workers.map(async (worker, index) => {
        const path = `data.${keys[index] ?? ''}`;
        for (let round = 0; round < ROUNDS; round++) {
          const { lease } = await worker.request('lock:acquire', { ref, path });
          granted.push(lease.token);
          await worker.request('lock:release', { ref, path, token: lease.token });
        }
      }),
    );
    const sorted = (tokens: readonly number[]): number[] => [...tokens].sort((a, b) => a - b);
    await waitUntil(() => heard.every((tally) => tally.ends.length >= granted.length) && views.every(({ book }) => book.leases().length === 0), 'both observers heard every end');
    const elapsedMs = Date.now() - started;

    expect(granted).toHaveLength(workers.length * ROUNDS);
    for (const tally of heard) {
      // Every grant and every end, once each: none missed, none repeated by the other gateway.
      expect(sorted(tally.grants)).toEqual(sorted(granted));
      expect(sorted(tally.ends)).toEqual(sorted(granted));
      // One delta per 100 ms, not one per gateway per 100 ms.
      expect(tally.deltas).toBeLessThanOrEqual(Math.floor(elapsedMs / 100) + 1);
    }
    for (const client of [...observers, ...workers]) client.close();
  });
});

describe('changes seen by every gateway\'s watch', () => {
  it('delivers a real kubectl edit to every client on both gateways exactly once, and names a Tandem saver', async () => {
    const clients = await Promise.all([cluster.connect(east, 'alice'), cluster.connect(east, 'bob'), cluster.connect(west, 'carol'), cluster.connect(west, 'dave')]);
    const seen: ResourceChanged[][] = clients.map(() => []);
    clients.forEach((client, index) => client.on('resource:changed', (event) => seen[index]?.push(event)));
    const views = await Promise.all(clients.map((client) => client.request('resource:join', { ref: webRef })));

    const editor = await writeReplacingEditor(cluster.home, 'image: nginx:1.27', 'image: nginx:1.29');
    const { code, stderr } = await kubectl(['edit', 'deploy/web', '-n', 'shop'], { kubeconfig: cluster.kubeconfig, home: join(cluster.home, 'kubectl-home'), env: { KUBE_EDITOR: editor } });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const edited = (events: ResourceChanged[]): ResourceChanged[] => events.filter((event) => event.manager === 'kubectl-edit');
    await waitUntil(() => seen.every((events) => edited(events).length >= 1), 'every client saw the kubectl edit');

    // A Tandem save right after, whose resource:changed names the user on both gateways.
    const current = await clients[0]?.request('resource:join', { ref: webRef });
    if (current === undefined) throw new Error('no client');
    const labels = { ...((current.object['metadata'] as Record<string, unknown>)['labels'] as Record<string, string>), saved: 'by-alice' };
    const saved = await clients[0]?.request('resource:save', { ref: webRef, baseResourceVersion: current.resourceVersion, object: { ...current.object, metadata: { ...(current.object['metadata'] as Record<string, never>), labels } } });
    await waitUntil(() => seen.every((events) => events.some((event) => event.resourceVersion === saved?.resourceVersion)), 'every client saw the save');
    for (const events of seen) {
      expect(edited(events)).toHaveLength(1);
      expect(events.filter((event) => event.resourceVersion === saved?.resourceVersion)).toEqual([expect.objectContaining({ user: 'alice', manager: 'tandem' })]);
    }
    expect(views.map((view) => view.object['kind'])).toEqual(['Deployment', 'Deployment', 'Deployment', 'Deployment']);
    for (const client of clients) client.close();
  });
});

describe('crashes', () => {
  it('removes the presence of a SIGKILLed client process', async () => {
    const watcher = await cluster.connect(east, 'watcher');
    const heard: PresenceChanged[] = [];
    watcher.on('presence:changed', (event) => heard.push(event));
    await watcher.request('resource:join', { ref: webRef });

    const script = join(cluster.home, 'join-and-wait.mjs');
    const clientModule = join(workspaceRootOf(), 'libs/sync/dist/client.js');
    await writeFile(
      script,
      `import { TandemClient } from ${JSON.stringify(clientModule)};\n` +
        `const client = new TandemClient({ url: process.argv[2], user: 'ghost', reconnection: false });\n` +
        `await client.connected();\n` +
        `await client.request('resource:join', { ref: ${JSON.stringify(webRef)} });\n` +
        `process.stdout.write('joined\\n');\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, [script, west.url]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('joined') && resolve());
      child.on('exit', (code) => reject(new Error(`the client script exited with ${code}`)));
    });
    await waitUntil(() => heard.some((event) => event.change === 'joined' && event.session.user === 'ghost'), 'the watcher saw the ghost join');
    child.kill('SIGKILL');
    await waitUntil(() => heard.some((event) => event.change === 'left' && event.session.user === 'ghost'), 'the ghost left', 30_000);
  });

  it('frees the leases and presence of a SIGKILLed gateway within their TTL', async () => {
    const doomed = await cluster.startGateway();
    const survivor = await cluster.connect(east, 'survivor');
    const heardPresence: PresenceChanged[] = [];
    survivor.on('presence:changed', (event) => heardPresence.push(event));
    const { book: survivorView } = await joinFollowingLeases(survivor, webRef);
    const victim = await cluster.connect(doomed, 'victim');
    await victim.request('resource:join', { ref: webRef });
    await victim.request('lock:acquire', { ref: webRef, path: 'spec.replicas' });
    await waitUntil(() => survivorView.leases().some((lease) => lease.owner === 'victim'), 'the survivor saw the lease');

    await doomed.kill();
    await waitUntil(() => survivorView.leases().every((lease) => lease.owner !== 'victim'), 'the lease lapsed', 30_000);
    await waitUntil(() => heardPresence.some((event) => event.change === 'left' && event.session.user === 'victim'), 'the victim left', 30_000);
    await expect(survivor.request('lock:acquire', { ref: webRef, path: 'spec.replicas' })).resolves.toMatchObject({ lease: { owner: 'survivor' } });
  });
});
