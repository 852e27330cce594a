/**
 * Gateway memory while one client sends at its limits: a socket that asks for everything as fast
 * as the gateway lets it (presence moves, lease requests, joins and list watches, saves, history
 * queries) for 60 s, the rate-limited answers included, against the same gateway left idle for the
 * same time (the floor). Memory is read after forced garbage collections, through the inspector.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '@tandem/kube-sandbox';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { collectGarbage, inspectorUrlOf } from './support/inspector.js';
import { progress, sleep, startChild, stopAllChildren, type ChildServer } from './support/child-process.js';
import type { BenchRow, BenchSection } from './types.js';

const SECONDS = 60;
const WEB: ResourceRef = { context: 'lab', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function settled(gateway: ChildServer): Promise<{ rss: number; heap: number }> {
  const url = inspectorUrlOf(gateway.startupOutput);
  if (url === undefined) throw new Error('the gateway printed no inspector address');
  const { heapUsed } = await collectGarbage(url);
  return { rss: await gateway.rssBytes(), heap: heapUsed };
}

/** Samples memory once a second for `seconds` while `work` runs (or nothing does); returns the settled memory at start and end and the peak RSS. */
async function watchMemory(gateway: ChildServer, seconds: number, work: (until: number) => Promise<number>): Promise<{ start: { rss: number; heap: number }; end: { rss: number; heap: number }; peakRss: number; requests: number }> {
  const start = await settled(gateway);
  const until = Date.now() + seconds * 1000;
  let peakRss = start.rss;
  const sampler = setInterval(() => {
    void gateway.rssBytes().then((rss) => {
      peakRss = Math.max(peakRss, rss);
    });
  }, 1000);
  const requests = await work(until);
  clearInterval(sampler);
  const end = await settled(gateway);
  return { start, end, peakRss: Math.max(peakRss, end.rss), requests };
}

export async function run(): Promise<BenchSection> {
  const home = await mkdtemp(join(tmpdir(), 'tandem-limits-bench-'));
  const sandbox = await startSandbox();
  const client = { current: undefined as TandemClient | undefined };
  try {
    const kubeconfig = join(home, 'kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig, { context: 'lab', namespace: 'shop' });
    const gateway = await startChild({
      name: 'gateway',
      args: ['--inspect=127.0.0.1:0', 'apps/api/dist/main.js'],
      env: { PORT: '0', HOST: '127.0.0.1', TANDEM_SANDBOX: 'off', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn' },
      readyPattern: /Tandem is running at http:\/\/localhost:(\d+)/,
      readyTimeoutMs: 60_000,
    });
    const url = `http://127.0.0.1:${gateway.readyMatch[1] ?? ''}`;
    const socket = new TandemClient({ url, user: 'flooder', reconnection: false, timeoutMs: 15_000 });
    client.current = socket;
    await socket.connected();
    const joined = await socket.request('resource:join', { ref: WEB });
    await sleep(2_000);

    progress(`limits: ${String(SECONDS)} s idle (the floor)`);
    const idle = await watchMemory(gateway, SECONDS, async (until) => {
      while (Date.now() < until) await sleep(250);
      return 0;
    });

    progress(`limits: ${String(SECONDS)} s of one client at its limits`);
    const outcomes = new Map<string, number>();
    const count = (ack: { ok: boolean; error?: { code: string } }): void => {
      const key = ack.ok ? 'ok' : (ack.error?.code ?? 'failed');
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    };
    const object = joined.object as JsonObject;
    const flooded = await watchMemory(gateway, SECONDS, async (until) => {
      let sent = 0;
      let line = 0;
      // Four requests in flight at a time, of every kind a socket can ask, until the minute is over.
      const lane = async (kind: number): Promise<void> => {
        while (Date.now() < until) {
          sent += 1;
          line += 1;
          const ack =
            kind === 0
              ? await socket.requestAck('presence:update', { ref: WEB, field: `metadata.labels.l${String(line % 50)}`, selection: { startLine: 1 + (line % 40), startColumn: 1, endLine: 1 + (line % 40), endColumn: 1 } })
              : kind === 1
                ? await socket.requestAck('lock:acquire', { ref: WEB, path: `metadata.annotations.a${String(line % 500)}` })
                : kind === 2
                  ? await socket.requestAck('list:watch', { list: { context: 'lab', group: '', version: 'v1', resource: 'configmaps', namespace: `ns${String(line % 100)}` } })
                  : await socket.requestAck('resource:save', { ref: WEB, baseResourceVersion: joined.resourceVersion, object, dryRun: true });
          count(ack as { ok: boolean; error?: { code: string } });
        }
      };
      await Promise.all([0, 1, 2, 3].map((kind) => lane(kind)));
      return sent;
    });
    const rows: BenchRow[] = [
      { name: 'idle gateway, 60 s: settled RSS at start → end (floor)', value: `${mib(idle.start.rss)} → ${mib(idle.end.rss)}` },
      { name: 'idle gateway, 60 s: settled JS heap at start → end (floor)', value: `${mib(idle.start.heap)} → ${mib(idle.end.heap)}` },
      { name: 'one client at its limits, 60 s: requests sent', value: String(flooded.requests) },
      { name: 'one client at its limits: answers', value: [...outcomes.entries()].map(([code, n]) => `${code} ${String(n)}`).join(', ') },
      { name: 'one client at its limits: settled RSS at start → end', value: `${mib(flooded.start.rss)} → ${mib(flooded.end.rss)}` },
      { name: 'one client at its limits: peak RSS', value: mib(flooded.peakRss) },
      {
        name: 'one client at its limits: settled JS heap growth, against the idle floor',
        value: `${mib(flooded.end.heap - flooded.start.heap)} (floor ${mib(idle.end.heap - idle.start.heap)})`,
        target: 'bounded: under 16 MiB',
        pass: flooded.end.heap - flooded.start.heap < 16 * 2 ** 20,
      },
    ];
    return {
      title: 'One client at its limits',
      method: `One gateway (sandbox cluster, in-process store, default limits), one socket joined to shop/web. Floor: the gateway idle for ${String(SECONDS)} s. Then ${String(SECONDS)} s of the socket asking as fast as answers come back, four requests in flight: presence moves, lease requests over 500 paths, list watches of 100 namespaces, dry-run saves; most are answered rate-limited or over quota. Memory is read after two forced garbage collections through the gateway's inspector; RSS sampled every second for the peak.`,
      rows,
    };
  } finally {
    client.current?.close();
    await stopAllChildren();
    await sandbox.close();
    await rm(home, { recursive: true, force: true });
  }
}
