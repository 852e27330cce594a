import { mkdir, mkdtemp, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContextInfo, ContextsChanged } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TARGETS, kubeconfigEntriesOf, startCluster, type TestCluster } from './support/cluster.js';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { eventually, waitUntil } from './support/wait.js';

/**
 * How long a push may take before the scenario counts it as never sent. Design rule 7 (every
 * client hears of a kubeconfig change within a second) is a speed figure, measured by the bench
 * (bench/contexts.bench.ts); here only arrival and order are asserted.
 */
const PUSH_TIMEOUT_MS = 15_000;

interface ContextSpec {
  readonly name: string;
  readonly server: string;
  readonly namespace?: string;
  /** How to reach the server (CA, token); default: skip TLS verification, a made-up token. */
  readonly access?: { readonly cluster: Record<string, unknown>; readonly user: Record<string, unknown> };
}

/** A context of a test cluster, with its real credentials. */
function contextOf(cluster: TestCluster, name: string, namespace?: string): ContextSpec {
  return { name, server: cluster.url, access: kubeconfigEntriesOf(cluster), ...(namespace === undefined ? {} : { namespace }) };
}

/** A kubeconfig laid out as real tools write one, one cluster and user per context. */
function kubeconfig(contexts: readonly ContextSpec[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((context) => ({ name: context.name, cluster: { ...(context.access?.cluster ?? { 'insecure-skip-tls-verify': true }), server: context.server } })),
    users: contexts.map((context) => ({ name: context.name, user: context.access?.user ?? { token: `${context.name}-token` } })),
    contexts: contexts.map((context) => ({
      name: context.name,
      context: { cluster: context.name, user: context.name, ...(context.namespace === undefined ? {} : { namespace: context.namespace }) },
    })),
    'current-context': contexts[0]?.name ?? '',
    preferences: {},
  });
}

interface Push {
  readonly at: number;
  readonly event: ContextsChanged;
}

/** A socket client that keeps every `contexts:changed` it receives, with its arrival time. */
class RecordingClient {
  readonly pushes: Push[] = [];
  readonly client: TandemClient;

  constructor(url: string, user: string) {
    this.client = new TandemClient({ url, user });
    this.client.on('contexts:changed', (event) => this.pushes.push({ at: Date.now(), event }));
  }

  /** Waits for a matching push received after `since` (the moment before the write that causes it). */
  async pushAfter(since: number, matches: (event: ContextsChanged) => boolean, description: string): Promise<Push> {
    let found: Push | undefined;
    await waitUntil(
      () => {
        found = this.pushes.find((push) => push.at >= since && matches(push.event));
        return found !== undefined;
      },
      `a contexts:changed push ${description} reaches socket ${this.client.id ?? '?'}`,
      PUSH_TIMEOUT_MS,
    );
    if (found === undefined) throw new Error(`No push ${description} after the write`);
    return found;
  }
}

async function listContexts(gateway: RunningGateway): Promise<ContextInfo[]> {
  const response = await fetch(`${gateway.url}/api/contexts`);
  expect(response.status).toBe(200);
  return (await response.json()) as ContextInfo[];
}

const names = (contexts: readonly ContextInfo[]): string[] => contexts.map((context) => context.name);

/** Writes a file the way kubectl and editors save: a temp file in the same directory, renamed over it. */
async function replaceByRename(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, text);
  await rename(temp, path);
}

/** A TCP server that accepts connections and never answers: a cluster that hangs. */
async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolveClose());
      }),
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

describe.each(TARGETS)('contexts follow the kubeconfig files live (%s)', (target) => {
  let dir: string;
  let fileA: string;
  let fileB: string;
  let sandboxA: TestCluster;
  let sandboxB: TestCluster;
  let gateway: RunningGateway;
  let alice: RecordingClient;
  let bob: RecordingClient;
  const a = (name: string, namespace?: string): ContextSpec => contextOf(sandboxA, name, namespace);
  const b = (name: string): ContextSpec => contextOf(sandboxB, name);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-contexts-'));
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    fileA = join(dir, 'a', 'config');
    fileB = join(dir, 'b', 'config');
    [sandboxA, sandboxB] = await Promise.all([startCluster(target, { seed: false }), startCluster(target, { seed: false })]);
    await writeFile(fileA, kubeconfig([a('alpha', 'shop'), a('alpha-east')]));
    await writeFile(fileB, kubeconfig([b('beta')]));
    gateway = await startGateway({ env: { KUBECONFIG: `${fileA}:${fileB}`, TANDEM_SANDBOX: 'off' } });
    alice = new RecordingClient(gateway.url, 'alice');
    bob = new RecordingClient(gateway.url, 'bob');
    await Promise.all([alice.client.connected(), bob.client.connected()]);
    // Start-up is over once every context has been probed: later pushes then come from the tests' writes.
    await eventually(async () => (await listContexts(gateway)).every((context) => context.status === 'ok'), 'every context is probed ok', 30_000);
  });

  afterAll(async () => {
    alice?.client.close();
    bob?.client.close();
    await gateway?.stop();
    await Promise.all([sandboxA?.close(), sandboxB?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the contexts of both files, with server, namespace, source file and a reachable status', async () => {
    const contexts = await listContexts(gateway);
    expect(contexts).toEqual([
      { name: 'alpha', server: sandboxA.url, namespace: 'shop', source: fileA, status: 'ok' },
      { name: 'alpha-east', server: sandboxA.url, source: fileA, status: 'ok' },
      { name: 'beta', server: sandboxB.url, source: fileB, status: 'ok' },
    ]);
  });

  it('drops a context removed from a file from the list and tells every socket', async () => {
    const writtenAt = Date.now();
    await writeFile(fileA, kubeconfig([a('alpha', 'shop')]));
    for (const client of [alice, bob]) {
      const push = await client.pushAfter(writtenAt, (event) => event.removed.includes('alpha-east'), 'removing alpha-east');
      expect(names(push.event.contexts)).toEqual(['alpha', 'beta']);
    }
    expect(names(await listContexts(gateway))).toEqual(['alpha', 'beta']);
  });

  it('shows a context added to a file', async () => {
    const writtenAt = Date.now();
    await writeFile(fileA, kubeconfig([a('alpha', 'shop'), a('alpha-west', 'web')]));
    for (const client of [alice, bob]) {
      const push = await client.pushAfter(writtenAt, (event) => event.added.includes('alpha-west'), 'adding alpha-west');
      expect(push.event.contexts).toContainEqual(expect.objectContaining({ name: 'alpha-west', namespace: 'web', source: fileA }));
    }
    expect(names(await listContexts(gateway))).toEqual(['alpha', 'alpha-west', 'beta']);
  });

  it('follows a file replaced by rename, reporting a changed namespace as changed', async () => {
    const writtenAt = Date.now();
    await replaceByRename(fileA, kubeconfig([a('alpha', 'billing'), a('alpha-west', 'web')]));
    for (const client of [alice, bob]) {
      const push = await client.pushAfter(writtenAt, (event) => event.changed.includes('alpha'), 'changing alpha');
      expect(push.event.contexts).toContainEqual(expect.objectContaining({ name: 'alpha', namespace: 'billing' }));
    }
    // The watch must survive the rename: a second replacement is followed as well.
    const secondAt = Date.now();
    await replaceByRename(fileA, kubeconfig([a('alpha', 'billing')]));
    for (const client of [alice, bob]) await client.pushAfter(secondAt, (event) => event.removed.includes('alpha-west'), 'removing alpha-west');
    expect(names(await listContexts(gateway))).toEqual(['alpha', 'beta']);
  });

  it('drops every context of a deleted file, and picks the file up again when it reappears', async () => {
    const deletedAt = Date.now();
    await unlink(fileB);
    for (const client of [alice, bob]) await client.pushAfter(deletedAt, (event) => event.removed.includes('beta'), 'removing beta');
    expect(names(await listContexts(gateway))).toEqual(['alpha']);

    const createdAt = Date.now();
    await writeFile(fileB, kubeconfig([b('beta')]));
    for (const client of [alice, bob]) await client.pushAfter(createdAt, (event) => event.added.includes('beta'), 'adding beta back');
    expect(names(await listContexts(gateway))).toEqual(['alpha', 'beta']);
  });

  it('keeps the contexts of a file written in two halves, degraded while it is incomplete', async () => {
    const full = kubeconfig([a('alpha', 'billing'), a('alpha-north')]);
    let writtenAt = Date.now();
    await writeFile(fileA, full);
    for (const client of [alice, bob]) await client.pushAfter(writtenAt, (event) => event.added.includes('alpha-north'), 'adding alpha-north');
    await waitUntil(() => alice.pushes.at(-1)?.event.contexts.every((context) => context.status === 'ok') === true, 'alpha-north is probed');

    const expected = names(await listContexts(gateway));
    expect(expected).toEqual(expect.arrayContaining(['alpha', 'alpha-north']));
    const observed: ContextInfo[][] = [];
    const pushesBefore = alice.pushes.length;
    const poll = async (): Promise<ContextInfo[]> => {
      const contexts = await listContexts(gateway);
      observed.push(contexts);
      return contexts;
    };

    const handle = await open(fileA, 'r+');
    try {
      await handle.truncate(0);
      const half = Math.floor(full.length / 2);
      await handle.write(full.slice(0, half), 0);
      // The list showing the file degraded is the gateway's answer to the half-written file; the names it
      // kept meanwhile are checked below, in every list and push seen.
      await eventually(async () => (await poll()).some((context) => context.source === fileA && context.status === 'degraded'), 'the half-written file shows as degraded', 15_000);
      await handle.write(full.slice(half), half);
      writtenAt = Date.now();
    } finally {
      await handle.close();
    }
    await waitUntil(() => {
      const last = alice.pushes.at(-1);
      return last !== undefined && last.at >= writtenAt && last.event.contexts.every((context) => context.status === 'ok');
    }, 'the completed file is ok again');
    const final = await poll();
    expect(final.filter((context) => context.source === fileA).map((context) => [context.name, context.status, context.error])).toEqual([
      ['alpha', 'ok', undefined],
      ['alpha-north', 'ok', undefined],
    ]);

    const during = [...observed, ...alice.pushes.slice(pushesBefore).map((push) => [...push.event.contexts]), ...bob.pushes.slice(pushesBefore).map((push) => [...push.event.contexts])];
    for (const contexts of during) expect(names(contexts)).toEqual(expected);
    const degradedEntry = during.flat().find((context) => context.status === 'degraded');
    expect(degradedEntry?.error).toContain(fileA);
    for (const push of [...alice.pushes.slice(pushesBefore), ...bob.pushes.slice(pushesBefore)]) expect(push.event.removed).toEqual([]);
  });

  it('settles 100 back-to-back writes into the final file contents, staying healthy', async () => {
    const fromFileA = (await listContexts(gateway)).filter((context) => context.source === fileA).map((context) => context.name);
    for (let round = 0; round < 100; round += 1) {
      await writeFile(fileB, kubeconfig([b(`beta-${round}`)]));
    }
    const expected = [...fromFileA, 'beta-99'];
    await waitUntil(() => {
      const last = alice.pushes.at(-1)?.event.contexts;
      return last !== undefined && names(last).join() === expected.join() && last.every((context) => context.status === 'ok');
    }, 'the last push lists the final contexts, all ok');
    const contexts = await listContexts(gateway);
    expect(names(contexts)).toEqual(expected);
    expect(contexts.every((context) => context.status === 'ok')).toBe(true);
    expect(bob.pushes.at(-1)?.event.contexts).toEqual(contexts);
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('lists a cluster that never answers and one that refuses connections, then marks both unreachable', async () => {
    const silent = await startSilentServer();
    try {
      const refused = await closedPort();
      const fromFileA = (await listContexts(gateway)).filter((context) => context.source === fileA).map((context) => context.name);
      const writtenAt = Date.now();
      await writeFile(
        fileB,
        kubeconfig([b('beta'), { name: 'hanging', server: `http://127.0.0.1:${silent.port}` }, { name: 'refused', server: `http://127.0.0.1:${refused}` }]),
      );
      await alice.pushAfter(writtenAt, (event) => event.added.includes('hanging'), 'adding hanging');
      // The endpoint answers from memory while probes of the dead clusters are in flight; how fast is a bench figure.
      const listed = await listContexts(gateway);
      expect(names(listed)).toEqual([...fromFileA, 'beta', 'hanging', 'refused']);
      await waitUntil(() => {
        const last = alice.pushes.at(-1)?.event.contexts ?? [];
        return ['hanging', 'refused'].every((name) => last.find((context) => context.name === name)?.status === 'unreachable');
      }, 'both dead clusters are reported unreachable');
      const contexts = await listContexts(gateway);
      expect(contexts.find((context) => context.name === 'hanging')?.error).toMatch(/did not answer GET \/version within \d+ ms/);
      expect(contexts.find((context) => context.name === 'refused')?.error).toMatch(/ECONNREFUSED|refused/i);
      expect(contexts.find((context) => context.name === 'beta')?.status).toBe('ok');
    } finally {
      await silent.close();
    }
  });
});

describe.each(TARGETS)('the embedded sandbox beside kubeconfig contexts of %s', (target) => {
  let dir: string;
  let file: string;
  let sandbox: TestCluster;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-contexts-embedded-'));
    file = join(dir, 'config');
    sandbox = await startCluster(target, { seed: false });
    // A context named like the embedded one must not take its place.
    await writeFile(file, kubeconfig([contextOf(sandbox, 'tandem-sandbox'), contextOf(sandbox, 'team', 'team')]));
    gateway = await startGateway({ env: { KUBECONFIG: file, TANDEM_SANDBOX: 'on' } });
    // Statuses are asserted once the first probes are done, which a busy machine may take a moment over.
    await eventually(async () => (await listContexts(gateway)).every((context) => context.status === 'ok'), 'every context is probed ok', 30_000);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the sandbox first as the embedded context, and hides a kubeconfig context that reuses its name', async () => {
    const contexts = await listContexts(gateway);
    expect(contexts).toEqual([
      expect.objectContaining({ name: 'tandem-sandbox', source: 'embedded', namespace: 'shop', status: 'ok' }),
      { name: 'team', server: sandbox.url, namespace: 'team', source: file, status: 'ok' },
    ]);
    expect(contexts[0]?.server).not.toBe(sandbox.url);
    const logged = gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(logged).toContain(`Context "tandem-sandbox" of ${file} is hidden: the embedded sandbox uses that name`);
  });
});
