/**
 * Tandem's side of the collaboration benchmark: two gateway processes sharing Redis and
 * one sandbox cluster, N TandemClients spread over both, all joined to shop/web; one
 * writer moves its cursor with `presence:update`, the receivers time `presence:changed`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import type { PresenceChanged, ResourceRef } from '@tandem/sync';
import { TandemClient, TandemRequestError } from '@tandem/sync/client';
import { percentiles } from './types.js';
import { inBatches, progress, sleep, startChild, waitFor, workspaceRoot, type ChildServer } from './support/child-process.js';
import type { LeaseSamples } from './support/lease-requesters.js';
import { startRequesterProcesses } from './support/requester-processes.js';
import { collectGarbage, inspectorUrlOf } from './support/inspector.js';
import { collectLatency, seeMoves, typeAt, type CollabFigures, type CollabOptions } from './support/collab-figures.js';
import { BENCH_LIMITS } from './support/bench-limits.js';

export const SHOP_WEB: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

const GATEWAY_MAIN = 'apps/api/dist/main.js';
const REQUEST_TIMEOUT_MS = 15_000;

export interface LeaseFigures {
  readonly requesters: number;
  /** What the requesters did: all at the same moment (`burst`), or each at a person's pace (`steady`). */
  readonly shape: string;
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
  /** Requests with no answer within `timeoutMs` (not in the percentiles; any of them misses the target). */
  readonly unanswered: number;
  readonly timeoutMs: number;
  /**
   * The same grants timed inside the gateways (`tandem_lease_acquire_duration_seconds`, summed over
   * both): the histogram bucket bound under which 99% of them were answered, in ms.
   */
  readonly gatewayP99BoundMs: number | undefined;
}

export interface TandemFigures extends CollabFigures {
  /** socket.io events received while idle, apart from engine.io pings. */
  readonly idleEventsPerSecond: number;
  readonly idlePingsPerSecond: number;
  readonly gateways: number;
  /** Empty when the gateway does not grant leases (the reason is in `leaseSkipped`). */
  readonly leases: readonly LeaseFigures[];
  readonly leaseSkipped?: string;
}

/** The gateway cannot be measured (not built, or a capability not answering yet); the suite reports why. */
export class NotMeasuredError extends Error {
  override readonly name = 'NotMeasuredError';
}

export interface TandemOptions extends CollabOptions {
  readonly gateways: number;
  readonly redisUrl: string;
  readonly leaseRequesters: number;
  readonly leaseRounds: number;
  /** Seconds of the steady phase, in which each requester acquires about once a second. */
  readonly leaseSteadySeconds: number;
}

async function startGateway(index: number, kubeconfig: string, redisUrl: string): Promise<ChildServer> {
  return startChild({
    name: `gateway ${index + 1}`,
    // The inspector lets the bench force garbage collections before reading memory (see support/inspector.ts).
    args: ['--inspect=127.0.0.1:0', GATEWAY_MAIN],
    env: { PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl, TANDEM_SANDBOX: 'off', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn', ...BENCH_LIMITS },
    readyPattern: /Tandem is running at http:\/\/localhost:(\d+)/,
    readyTimeoutMs: 60_000,
  });
}

/** RSS and JS heap of all gateways together, after forced garbage collections in each. */
async function settledMemory(gateways: readonly ChildServer[]): Promise<{ rss: number; heapUsed: number }> {
  const heaps = await Promise.all(
    gateways.map((gateway) => {
      const url = inspectorUrlOf(gateway.startupOutput);
      if (url === undefined) throw new Error(`${gateway.name} printed no inspector address`);
      return collectGarbage(url);
    }),
  );
  const rss = await Promise.all(gateways.map((gateway) => gateway.rssBytes()));
  return { rss: rss.reduce((sum, bytes) => sum + bytes, 0), heapUsed: heaps.reduce((sum, heap) => sum + heap.heapUsed, 0) };
}

/** Asks the gateway once and turns "this capability is not there yet" into a NotMeasuredError. */
async function probe<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const reason = error instanceof TandemRequestError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    throw new NotMeasuredError(`${what} failed (${reason})`);
  }
}

/** Cumulative `lock:acquire` grant counts by histogram bound (seconds), summed over the gateways' /metrics. */
async function grantHistogram(urls: readonly string[]): Promise<Map<number, number>> {
  const buckets = new Map<number, number>();
  const pattern = /^tandem_lease_acquire_duration_seconds_bucket\{le="([^"]+)",outcome="granted"\} (\d+)$/gm;
  for (const url of urls) {
    const response = await fetch(`${url}/metrics`);
    if (!response.ok) throw new NotMeasuredError(`${url}/metrics answered ${response.status}`);
    for (const [, le, count] of (await response.text()).matchAll(pattern)) {
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(count));
    }
  }
  return buckets;
}

/** The smallest bucket bound (ms) holding 99% of the grants counted between two readings. */
function p99Bound(before: Map<number, number>, after: Map<number, number>): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total === 0) return undefined;
  const bound = bounds.find((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total);
  return bound === undefined ? undefined : bound * 1_000;
}

/** Pools the samples of every requester process into one figure. */
function leaseFigures(results: readonly LeaseSamples[], requesters: number, shape: string, gatewayP99BoundMs: number | undefined): LeaseFigures {
  const failures = results.flatMap((result) => result.failures);
  if (failures.length > 0) throw new NotMeasuredError(`${failures.length} lock:acquire requests failed, first: ${failures[0]}`);
  const samples = results.flatMap((result) => result.samples);
  const { p50, p99 } = percentiles(samples);
  const unanswered = results.reduce((sum, result) => sum + result.unanswered, 0);
  return { requesters, shape, p50, p99, samples: samples.length, unanswered, timeoutMs: REQUEST_TIMEOUT_MS, gatewayP99BoundMs };
}

/**
 * Two shapes of 200 concurrent requesters, each on its own field, in several processes
 * of their own (joined to the resource besides the receivers): all of them asking in the same
 * millisecond (a burst, rounds apart), and each asking at a person's pace (a pause of 0-2 s, the
 * lease held 250 ms, released, again) with random phases.
 */
async function measureLeases(urls: readonly string[], options: TandemOptions): Promise<LeaseFigures[]> {
  const requesters = await startRequesterProcesses({ transport: 'tandem', urls, requesters: options.leaseRequesters, ref: SHOP_WEB, timeoutMs: REQUEST_TIMEOUT_MS });
  try {
    const rounds: LeaseSamples[] = [];
    const start = await grantHistogram(urls);
    for (let round = 0; round < options.leaseRounds; round++) {
      rounds.push(...(await requesters.ask({ type: 'burst' })));
      await sleep(500);
    }
    const afterBursts = await grantHistogram(urls);
    const steady = await requesters.ask({ type: 'steady', seconds: options.leaseSteadySeconds });
    const afterSteady = await grantHistogram(urls);
    return [
      leaseFigures(rounds, options.leaseRequesters, `all at once, ${options.leaseRounds} rounds`, p99Bound(start, afterBursts)),
      leaseFigures(steady, options.leaseRequesters, `each about once a second, ${options.leaseSteadySeconds} s`, p99Bound(afterBursts, afterSteady)),
    ];
  } finally {
    await requesters.stop();
  }
}

/** How many acquires the lone client makes, one after the other (each released before the next). */
const ALONE_ACQUIRES = 1_000;

/**
 * One client alone in the room asks for a lease, waits for it, releases it, and again: the round
 * trip with nothing else going on (socket.io, validation, one Redis script, the ack).
 */
async function measureLeaseAlone(client: TandemClient, urls: readonly string[]): Promise<LeaseFigures> {
  const path = 'metadata.annotations.benchalone';
  const samples: number[] = [];
  const start = await grantHistogram(urls);
  await probe('lock:acquire', async () => {
    for (let i = 0; i < ALONE_ACQUIRES + 50; i++) {
      const asked = performance.now();
      const { lease } = await client.request('lock:acquire', { ref: SHOP_WEB, path });
      // The first 50 warm the path up.
      if (i >= 50) samples.push(performance.now() - asked);
      await client.request('lock:release', { ref: SHOP_WEB, path, token: lease.token });
    }
  });
  const { p50, p99 } = percentiles(samples);
  return { requesters: 1, shape: 'alone in the room, one after the other', p50, p99, samples: samples.length, unanswered: 0, timeoutMs: REQUEST_TIMEOUT_MS, gatewayP99BoundMs: p99Bound(start, await grantHistogram(urls)) };
}

export async function measureTandem(options: TandemOptions): Promise<TandemFigures> {
  if (!existsSync(join(workspaceRoot, GATEWAY_MAIN))) {
    throw new NotMeasuredError(`${GATEWAY_MAIN} is missing: build first with \`npx nx run-many -t build -p api web --skip-sync\``);
  }
  const directory = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
  const kubeconfig = join(directory, 'kubeconfig');
  const clients: TandemClient[] = [];
  let sandbox: Sandbox | undefined;
  const gateways: ChildServer[] = [];
  try {
    sandbox = await startSandbox();
    await sandbox.writeKubeconfig(kubeconfig, { context: SHOP_WEB.context });
    for (let i = 0; i < options.gateways; i++) gateways.push(await startGateway(i, kubeconfig, options.redisUrl));
    progress(`tandem: ${gateways.length} gateways up`);
    await sleep(2_000);
    const idle = await settledMemory(gateways);
    const urls = gateways.map((gateway) => `http://127.0.0.1:${gateway.readyMatch[1]}`);

    let joined = 0;
    let events = 0;
    let pings = 0;
    const latency = collectLatency();
    const sentAt = new Map<number, number>();
    const connect = async (user: string, index: number): Promise<TandemClient> => {
      const client = new TandemClient({ url: urls[index % urls.length], user, reconnection: false, timeoutMs: REQUEST_TIMEOUT_MS });
      clients.push(client);
      client.socket.onAny(() => {
        events++;
      });
      client.socket.io.on('ping', () => {
        pings++;
      });
      await client.connected();
      await client.request('resource:join', { ref: SHOP_WEB });
      if (++joined % 100 === 0) progress(`tandem: ${joined} joined`);
      return client;
    };

    // The writer sits on the first gateway, so half the receivers hear it through the Redis adapter.
    const writer = await probe('connecting and resource:join', () => connect('writer', 0));
    await probe('presence:update', () => writer.request('presence:update', { ref: SHOP_WEB, field: 'spec.replicas' }));
    // The lease round trip of one client alone in the room, before the crowd arrives: Tandem's own floor.
    let leaseAlone: LeaseFigures | undefined;
    let leaseSkipped: string | undefined;
    try {
      leaseAlone = await measureLeaseAlone(writer, urls);
    } catch (error) {
      if (!(error instanceof NotMeasuredError)) throw error;
      leaseSkipped = error.message;
    }
    const receivers = await inBatches(Array.from({ length: options.clients }, (_, i) => `reader-${i}`), 25, (user, i) => connect(user, i + 1));
    for (const receiver of receivers) {
      const see = seeMoves(latency, sentAt);
      receiver.on('presence:changed', (event: PresenceChanged) => {
        if (event.session.user === 'writer' && event.session.selection !== undefined) see(event.session.selection.startLine);
      });
    }
    await sleep(3_000);
    const loaded = await settledMemory(gateways);

    progress('tandem: typing');
    const failures: string[] = [];
    const updates = await typeAt(options, (seq) => {
      sentAt.set(seq, performance.now());
      writer
        .request('presence:update', { ref: SHOP_WEB, field: 'spec.replicas', selection: { startLine: seq, startColumn: 1, endLine: seq, endColumn: 2 } })
        .catch((error: unknown) => failures.push(error instanceof Error ? error.message : String(error)));
    });
    const expected = updates * receivers.length;
    await waitFor(() => latency.count() >= expected, 'every receiver to get every cursor move', 15_000).catch(() => undefined);
    if (failures.length > 0) throw new Error(`${failures.length} of ${updates} presence:update requests failed, first: ${failures[0]}`);

    progress(`tandem: ${latency.count()}/${expected} cursor moves delivered; idle for ${options.idleSeconds} s`);
    events = 0;
    pings = 0;
    const idleStart = performance.now();
    await sleep(options.idleSeconds * 1000);
    const idleSeconds = (performance.now() - idleStart) / 1000;
    const idleEvents = events;
    const idlePings = pings;

    let leases: LeaseFigures[] = leaseAlone === undefined ? [] : [leaseAlone];
    if (leaseAlone !== undefined) {
      try {
        // The room keeps 500 clients: the requesters take the place of as many receivers.
        for (const receiver of receivers.slice(Math.max(0, receivers.length - options.leaseRequesters))) receiver.close();
        progress(`tandem: ${options.leaseRequesters} concurrent lease requesters among ${receivers.length} clients`);
        leases = [leaseAlone, ...(await measureLeases(urls, options))];
      } catch (error) {
        if (!(error instanceof NotMeasuredError)) throw error;
        leaseSkipped = error.message;
      }
    }

    return {
      clients: options.clients,
      gateways: options.gateways,
      latency: latency.summary(expected),
      idleFramesPerSecond: (idleEvents + idlePings) / idleSeconds,
      idleEventsPerSecond: idleEvents / idleSeconds,
      idlePingsPerSecond: idlePings / idleSeconds,
      idleSeconds,
      memoryPerClientBytes: (loaded.rss - idle.rss) / (options.clients + 1),
      heapPerClientBytes: (loaded.heapUsed - idle.heapUsed) / (options.clients + 1),
      serverRssBytes: { idle: idle.rss, loaded: loaded.rss },
      leases,
      ...(leaseSkipped === undefined ? {} : { leaseSkipped }),
    };
  } finally {
    for (const client of clients) client.close();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await sandbox?.close();
    await rm(directory, { recursive: true, force: true });
  }
}
