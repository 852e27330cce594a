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
import { collectLatency, seeMoves, typeAt, type CollabFigures, type CollabOptions } from './support/collab-figures.js';

export const SHOP_WEB: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

const GATEWAY_MAIN = 'apps/api/dist/main.js';
const REQUEST_TIMEOUT_MS = 15_000;

export interface LeaseFigures {
  readonly requesters: number;
  readonly rounds: number;
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
  /** Requests with no answer within `timeoutMs` (not in the percentiles; any of them misses the target). */
  readonly unanswered: number;
  readonly timeoutMs: number;
}

export interface TandemFigures extends CollabFigures {
  /** socket.io events received while idle, apart from engine.io pings. */
  readonly idleEventsPerSecond: number;
  readonly idlePingsPerSecond: number;
  readonly gateways: number;
  /** Undefined when the gateway does not grant leases (the reason is in `leaseSkipped`). */
  readonly lease?: LeaseFigures;
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
}

async function startGateway(index: number, kubeconfig: string, redisUrl: string): Promise<ChildServer> {
  return startChild({
    name: `gateway ${index + 1}`,
    args: [GATEWAY_MAIN],
    env: { PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl, TANDEM_SANDBOX: 'off', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn' },
    readyPattern: /Tandem is running at http:\/\/localhost:(\d+)/,
    readyTimeoutMs: 60_000,
  });
}

const sumRss = async (gateways: readonly ChildServer[]): Promise<number> =>
  (await Promise.all(gateways.map((gateway) => gateway.rssBytes()))).reduce((sum, rss) => sum + rss, 0);

/** Asks the gateway once and turns "this capability is not there yet" into a NotMeasuredError. */
async function probe<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const reason = error instanceof TandemRequestError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    throw new NotMeasuredError(`${what} failed (${reason})`);
  }
}

/**
 * Every requester asks for a lease on its own path at the same moment; once all are answered
 * they release them (untimed) and the next round starts.
 */
async function measureLeases(clients: readonly TandemClient[], options: TandemOptions): Promise<LeaseFigures> {
  const requesters = clients.slice(0, options.leaseRequesters);
  const samples: number[] = [];
  const failures: string[] = [];
  let unanswered = 0;
  for (let round = 0; round < options.leaseRounds; round++) {
    const tokens = await Promise.all(
      requesters.map(async (client, i) => {
        const path = `metadata.annotations.benchlease${i}`;
        const start = performance.now();
        try {
          const { lease } = await client.request('lock:acquire', { ref: SHOP_WEB, path });
          samples.push(performance.now() - start);
          return { client, path, token: lease.token };
        } catch (error) {
          // An unanswered request is a measured miss (its round trip is at least the timeout); any other error means no figure.
          if (error instanceof TandemRequestError) failures.push(`${error.code}: ${error.message}`);
          else unanswered++;
          return undefined;
        }
      }),
    );
    if (failures.length > 0) throw new NotMeasuredError(`${failures.length} of ${requesters.length} lock:acquire requests failed, first: ${failures[0]}`);
    // Releases are not timed; one the gateway does not answer lapses with its lease's TTL.
    await Promise.all(tokens.map((held) => held?.client.request('lock:release', { ref: SHOP_WEB, path: held.path, token: held.token }).catch(() => undefined)));
  }
  const { p50, p99 } = percentiles(samples);
  return { requesters: requesters.length, rounds: options.leaseRounds, p50, p99, samples: samples.length, unanswered, timeoutMs: REQUEST_TIMEOUT_MS };
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
    const idleRss = await sumRss(gateways);
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
    const receivers = await inBatches(Array.from({ length: options.clients }, (_, i) => `reader-${i}`), 25, (user, i) => connect(user, i + 1));
    for (const receiver of receivers) {
      const see = seeMoves(latency, sentAt);
      receiver.on('presence:changed', (event: PresenceChanged) => {
        if (event.session.user === 'writer' && event.session.selection !== undefined) see(event.session.selection.startLine);
      });
    }
    await sleep(3_000);
    const loadedRss = await sumRss(gateways);

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

    let lease: LeaseFigures | undefined;
    let leaseSkipped: string | undefined;
    try {
      await probe('lock:acquire', async () => {
        const { lease: granted } = await writer.request('lock:acquire', { ref: SHOP_WEB, path: 'metadata.annotations.benchprobe' });
        await writer.request('lock:release', { ref: SHOP_WEB, path: 'metadata.annotations.benchprobe', token: granted.token });
      });
      progress(`tandem: ${options.leaseRequesters} concurrent lease requesters`);
      lease = await measureLeases(receivers, options);
    } catch (error) {
      if (!(error instanceof NotMeasuredError)) throw error;
      leaseSkipped = error.message;
    }

    return {
      clients: options.clients,
      gateways: options.gateways,
      latency: latency.summary(expected),
      idleFramesPerSecond: (idleEvents + idlePings) / idleSeconds,
      idleEventsPerSecond: idleEvents / idleSeconds,
      idlePingsPerSecond: idlePings / idleSeconds,
      idleSeconds,
      memoryPerClientBytes: (loadedRss - idleRss) / (options.clients + 1),
      serverRssBytes: { idle: idleRss, loaded: loadedRss },
      ...(lease === undefined ? {} : { lease }),
      ...(leaseSkipped === undefined ? {} : { leaseSkipped }),
    };
  } finally {
    for (const client of clients) client.close();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await sandbox?.close();
    await rm(directory, { recursive: true, force: true });
  }
}
