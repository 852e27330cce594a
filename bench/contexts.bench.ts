/**
 * Kubeconfig contexts followed live, timed here rather than in the scenario tests (which assert
 * only that pushes arrive and in what order):
 * - a kubeconfig write reaching a connected socket as `contexts:changed` (design rule 7: within a second);
 * - GET /api/contexts while the probe of a cluster that never answers is in flight (the list answers from memory).
 */
import { watch } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSandbox } from '@tandem/kube-sandbox';
import type { ContextsChanged } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { progress, sleep, startChild, stopAllChildren, waitFor } from './support/child-process.js';
import { ms, percentiles, type BenchSection } from './types.js';

const WRITES = 40;
const LISTS = 200;
const PUSH_TARGET_MS = 1_000;

/** A TCP server that accepts connections and never answers: a cluster that hangs. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A kubeconfig of one context on a server that never answers. */
function hangingKubeconfig(port: number): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{ name: hanging, cluster: { server: "http://127.0.0.1:' + String(port) + '" } }]',
    'users: [{ name: hanging, user: { token: hanging-token } }]',
    'contexts: [{ name: hanging, context: { cluster: hanging, user: hanging } }]',
    'current-context: hanging',
    '',
  ].join('\n');
}

/** The floor of a push: a bare fs.watch on a file, timed from the start of each write to its first event. */
async function bareWatchMs(dir: string, writes: number, content: (round: number) => string): Promise<number[]> {
  const file = join(dir, 'floor.kubeconfig');
  await writeFile(file, content(0));
  const heard: number[] = [];
  const watcher = watch(file, () => heard.push(performance.now()));
  try {
    const times: number[] = [];
    for (let round = 1; round <= writes; round++) {
      const written = performance.now();
      await writeFile(file, content(round));
      await waitFor(() => heard.some((at) => at >= written), 'the file watch event', 30_000);
      const first = heard.find((at) => at >= written);
      if (first !== undefined) times.push(first - written);
      await sleep(300);
    }
    return times;
  } finally {
    watcher.close();
  }
}

export async function run(): Promise<BenchSection> {
  const home = await mkdtemp(join(tmpdir(), 'tandem-bench-contexts-'));
  const sandbox = await startSandbox({ seed: false });
  const silent = await startSilentServer();
  const followed = join(home, 'followed.kubeconfig');
  const hanging = join(home, 'hanging.kubeconfig');
  try {
    await writeFile(followed, sandbox.kubeconfig({ context: 'round-0' }));
    await writeFile(hanging, hangingKubeconfig(silent.port));
    const gateway = await startChild({
      name: 'gateway',
      args: ['apps/api/dist/main.js'],
      // Probing every second keeps a probe of the hanging cluster (800 ms timeout) in flight most of the time.
      env: { PORT: '0', HOST: '127.0.0.1', TANDEM_SANDBOX: 'off', KUBECONFIG: `${followed}:${hanging}`, TANDEM_CONTEXT_PROBE_MS: '1000', LOG_LEVEL: 'warn' },
      readyPattern: /Tandem is running at http:\/\/localhost:(\d+)/,
      readyTimeoutMs: 60_000,
    });
    const url = `http://127.0.0.1:${gateway.readyMatch[1] ?? ''}`;
    const client = new TandemClient({ url, user: 'bench', reconnection: false });
    const pushes: { at: number; event: ContextsChanged }[] = [];
    client.on('contexts:changed', (event) => pushes.push({ at: performance.now(), event }));
    await client.connected();

    progress(`${WRITES} kubeconfig writes, each timed until its push reaches the socket`);
    const pushMs: number[] = [];
    for (let round = 1; round <= WRITES; round++) {
      const name = `round-${String(round)}`;
      const written = performance.now();
      await writeFile(followed, sandbox.kubeconfig({ context: name }));
      await waitFor(() => pushes.some((push) => push.at >= written && push.event.added.includes(name)), `the push adding ${name}`, 30_000);
      const push = pushes.find((candidate) => candidate.at >= written && candidate.event.added.includes(name));
      if (push !== undefined) pushMs.push(push.at - written);
      // Writes apart from each other, so each is its own burst rather than one coalesced with the last.
      await sleep(300);
    }

    progress(`${WRITES} writes of a file under a bare fs.watch (the floor of a push)`);
    const watchFloor = percentiles(await bareWatchMs(home, WRITES, (round) => sandbox.kubeconfig({ context: `floor-${String(round)}` })));

    const timedGets = async (path: string): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < LISTS; i++) {
        const started = performance.now();
        const response = await fetch(`${url}${path}`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET ${path} answered ${String(response.status)}`);
        times.push(performance.now() - started);
        await sleep(10);
      }
      return times;
    };
    progress(`${LISTS} GET /api/contexts while the hanging cluster is probed, and ${LISTS} GET /healthz (the floor)`);
    const list = percentiles(await timedGets('/api/contexts'));
    const listFloor = percentiles(await timedGets('/healthz'));
    client.close();

    const push = percentiles(pushMs);
    return {
      title: 'Kubeconfig contexts',
      method: `One built gateway (in-process store) following two kubeconfig files, one on the sandbox and one on a server that accepts connections and never answers. ${String(WRITES)} writes of the first file, 300 ms apart, each timed from the start of the write to the \`contexts:changed\` push that names the new context at a connected socket (file watch, debounce, reload and broadcast); its floor is the same number of writes of another file under a bare \`fs.watch\`, timed to the first event. Then ${String(LISTS)} sequential GET /api/contexts while a probe of the hanging server (800 ms timeout, every second) is usually in flight; its floor is as many GET /healthz of the same gateway.`,
      rows: [
        { name: 'file write to a bare fs.watch event (floor), p50', value: ms(watchFloor.p50) },
        { name: 'file write to a bare fs.watch event (floor), p99', value: ms(watchFloor.p99) },
        { name: 'kubeconfig write to contexts:changed push, p50', value: ms(push.p50) },
        { name: 'kubeconfig write to contexts:changed push, p99', value: ms(push.p99), target: `p99 < ${String(PUSH_TARGET_MS)} ms`, pass: push.p99 < PUSH_TARGET_MS },
        { name: 'GET /healthz of the same gateway (floor), p50', value: ms(listFloor.p50) },
        { name: 'GET /healthz of the same gateway (floor), p99', value: ms(listFloor.p99) },
        { name: 'GET /api/contexts with a hanging cluster, p50', value: ms(list.p50) },
        { name: 'GET /api/contexts with a hanging cluster, p99', value: ms(list.p99), target: 'p99 < 800 ms (the probe timeout)', pass: list.p99 < 800 },
      ],
    };
  } finally {
    await stopAllChildren();
    await silent.close();
    await sandbox.close();
    await rm(home, { recursive: true, force: true });
  }
}
