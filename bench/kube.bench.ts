/**
 * Tandem beside a real kube-apiserver (@tandem/kube-env), each figure next to its floor measured
 * in the same run against the same API server:
 * - a guarded save (socket round trip through the gateway: compare, precondition, PUT) against a
 *   bare PUT of the same object with its resourceVersion;
 * - an outside write (a PATCH as `kubectl patch` sends it) reaching 50 editors spread over two
 *   gateways, against the same write reaching a bare watch on the API server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createObjects, startKubeEnv, type KubeEnv } from '@tandem/kube-env';
import { demoObjects } from '@tandem/kube-sandbox';
import type { JsonObject, ResourceChanged, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { inBatches, progress, startChild, stopAllChildren, waitFor, type ChildServer } from './support/child-process.js';
import { ms, percentiles, type BenchRow, type BenchSection } from './types.js';
import { BENCH_LIMITS } from './support/bench-limits.js';

const SAVES = 200;
const EDITORS = 50;
const OUTSIDE_WRITES = 60;
const CONTEXT = 'kube-env';
const WEB: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const WEB_PATH = '/apis/apps/v1/namespaces/shop/deployments/web';

function startGateway(index: number, kubeconfig: string, redisUrl: string, prefix: string): Promise<ChildServer> {
  return startChild({
    name: `gateway ${String(index + 1)}`,
    args: ['apps/api/dist/main.js'],
    env: { PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl, TANDEM_REDIS_PREFIX: prefix, TANDEM_SANDBOX: 'off', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn', ...BENCH_LIMITS },
    readyPattern: /Tandem is running at http:\/\/localhost:(\d+)/,
    readyTimeoutMs: 60_000,
  });
}

function annotated(object: JsonObject, value: string): JsonObject {
  const metadata = object['metadata'] as JsonObject;
  return { ...object, metadata: { ...metadata, annotations: { ...((metadata['annotations'] as JsonObject | undefined) ?? {}), 'bench.tandem.dev/round': value } } };
}

const versionOf = (object: unknown): string => String(((object as JsonObject)['metadata'] as JsonObject)['resourceVersion']);

/** A bare PUT of the object with its resourceVersion, as many times as Tandem saves: the floor of a save. */
async function barePuts(env: KubeEnv): Promise<number[]> {
  let current = (await env.request('GET', WEB_PATH)).body as JsonObject;
  const samples: number[] = [];
  for (let i = 0; i < SAVES + 20; i++) {
    const started = performance.now();
    const written = await env.request('PUT', WEB_PATH, annotated(current, `put-${String(i)}`));
    if (written.status !== 200) throw new Error(`PUT answered ${String(written.status)}: ${JSON.stringify(written.body)}`);
    if (i >= 20) samples.push(performance.now() - started);
    current = written.body as JsonObject;
  }
  return samples;
}

async function tandemSaves(client: TandemClient): Promise<number[]> {
  const view = await client.request('resource:join', { ref: WEB });
  let object = view.object;
  let version = view.resourceVersion;
  const samples: number[] = [];
  for (let i = 0; i < SAVES + 20; i++) {
    const started = performance.now();
    const saved = await client.request('resource:save', { ref: WEB, baseResourceVersion: version, object: annotated(object, `save-${String(i)}`) });
    if (i >= 20) samples.push(performance.now() - started);
    object = saved.object;
    version = saved.resourceVersion;
  }
  return samples;
}

/** Outside writes as `kubectl patch` sends them, timed from the send until `seen(version)` has heard each. */
async function outsideWrites(env: KubeEnv, arrivals: Map<string, number[]>, listeners: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < OUTSIDE_WRITES; i++) {
    const started = performance.now();
    const written = await env.request('PATCH', `${WEB_PATH}?fieldManager=kubectl-patch`, { metadata: { annotations: { 'bench.tandem.dev/outside': String(i) } } }, { contentType: 'application/strategic-merge-patch+json' });
    if (written.status !== 200) throw new Error(`PATCH answered ${String(written.status)}`);
    const version = versionOf(written.body);
    await waitFor(() => (arrivals.get(version)?.length ?? 0) >= listeners, `${String(listeners)} listeners hear version ${version}`, 30_000);
    for (const at of arrivals.get(version) ?? []) samples.push(at - started);
    arrivals.delete(version);
  }
  return samples;
}

export async function run(): Promise<BenchSection> {
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const directory = await mkdtemp(join(tmpdir(), 'tandem-kube-bench-'));
  progress('kube: starting kube-apiserver and etcd');
  const env = await startKubeEnv();
  const clients: TandemClient[] = [];
  const rows: BenchRow[] = [];
  try {
    await createObjects(env, demoObjects());
    const kubeconfig = join(directory, 'kubeconfig');
    await env.writeKubeconfig(kubeconfig, { context: CONTEXT, namespace: 'shop' });
    const prefix = `tandem-kube-bench-${String(process.pid)}`;
    const gateways = [await startGateway(0, kubeconfig, redisUrl, prefix), await startGateway(1, kubeconfig, redisUrl, prefix)];
    const urls = gateways.map((gateway) => `http://127.0.0.1:${gateway.readyMatch[1] ?? ''}`);
    const connect = async (user: string, url: string): Promise<TandemClient> => {
      const client = new TandemClient({ url, user, reconnection: false, timeoutMs: 15_000 });
      clients.push(client);
      await client.connected();
      return client;
    };

    progress('kube: saves');
    const floor = percentiles(await barePuts(env));
    const saver = await connect('saver', urls[0] ?? '');
    const saves = percentiles(await tandemSaves(saver));
    rows.push(
      { name: 'bare PUT to kube-apiserver (floor), p50', value: ms(floor.p50) },
      { name: 'bare PUT to kube-apiserver (floor), p99', value: ms(floor.p99) },
      { name: 'Tandem guarded save round trip, p50', value: ms(saves.p50) },
      { name: 'Tandem guarded save round trip, p99', value: ms(saves.p99) },
      { name: 'save p50 / floor p50', value: `${(saves.p50 / floor.p50).toFixed(2)}×` },
      { name: 'save p99 / floor p99', value: `${(saves.p99 / floor.p99).toFixed(2)}×` },
    );

    progress(`kube: ${String(EDITORS)} editors over two gateways`);
    const arrivals = new Map<string, number[]>();
    const editors = await inBatches(Array.from({ length: EDITORS }, (_, i) => i), 10, async (i) => {
      const client = await connect(`editor-${String(i)}`, urls[i % urls.length] ?? '');
      client.on('resource:changed', (event: ResourceChanged) => {
        if (event.ref.name !== 'web') return;
        const seen = arrivals.get(event.resourceVersion) ?? [];
        seen.push(performance.now());
        arrivals.set(event.resourceVersion, seen);
      });
      await client.request('resource:join', { ref: WEB });
      return client;
    });
    const toEditors = percentiles(await outsideWrites(env, arrivals, editors.length));

    // The floor: the same writes heard by one bare watch on the API server.
    const watchFloor = await bareWatchFloor(env, new Map<string, number[]>());
    rows.push(
      { name: 'outside write to a bare watch on kube-apiserver (floor), p50', value: ms(watchFloor.p50) },
      { name: 'outside write to a bare watch on kube-apiserver (floor), p99', value: ms(watchFloor.p99) },
      { name: `outside write to all ${String(EDITORS)} editors over 2 gateways, p50`, value: ms(toEditors.p50) },
      { name: `outside write to all ${String(EDITORS)} editors over 2 gateways, p99`, value: ms(toEditors.p99), target: 'p99 < 500 ms', pass: toEditors.p99 < 500 },
    );
    for (const gateway of gateways) await gateway.stop();
  } finally {
    for (const client of clients) client.close();
    await stopAllChildren();
    await env.close();
    await rm(directory, { recursive: true, force: true });
  }
  return {
    title: 'Beside a real kube-apiserver',
    method: `kube-apiserver ${env.version} and etcd from @tandem/kube-env on loopback (watch cache off, etcd without fsync), the sandbox's demo data. Saves: ${String(SAVES)} guarded saves of shop/web through one gateway, each adding an annotation on the version the previous save returned, timed from request to ack; floor: ${String(SAVES)} bare PUTs of the same object with its resourceVersion to the same API server. Outside writes: ${String(OUTSIDE_WRITES)} strategic merge patches (fieldManager kubectl-patch) sent one after another while ${String(EDITORS)} editors, half on each of two gateways sharing Redis, have shop/web open; each sample is the time from sending the PATCH until one editor received resource:changed with its version; floor: the same writes heard by one bare watch on the API server. 20 warm-up saves and PUTs are not counted.`,
    rows,
  };
}

async function bareWatchFloor(env: KubeEnv, arrivals: Map<string, number[]>): Promise<ReturnType<typeof percentiles>> {
  const current = versionOf((await env.request('GET', WEB_PATH)).body);
  const req = request(new URL(`/apis/apps/v1/namespaces/shop/deployments?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${current}`, env.url), {
    agent: env.agent,
    headers: { authorization: `Bearer ${env.token()}`, accept: 'application/json' },
  });
  await new Promise<void>((resolve, reject) => {
    req.on('response', (response) => {
      // Closing the watch at the end aborts the response: that is the end, not a failure.
      response.on('error', () => undefined);
      const lines = createInterface({ input: response });
      lines.on('error', () => undefined);
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        const event = JSON.parse(line) as { object: unknown };
        const version = versionOf(event.object);
        const seen = arrivals.get(version) ?? [];
        seen.push(performance.now());
        arrivals.set(version, seen);
      });
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
  try {
    return percentiles(await outsideWrites(env, arrivals, 1));
  } finally {
    req.destroy();
  }
}
