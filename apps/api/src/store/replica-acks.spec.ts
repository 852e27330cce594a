import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceRef } from '@tandem/sync';
import { createRedisStore } from '@tandem/store';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { withReplicaAcks, type UnconfirmedWrite } from './replica-acks.js';

const ref: ResourceRef = { context: 'lab', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const PREFIX = 'tandem-replica-acks';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Node {
  readonly port: number;
  readonly process: ChildProcess;
  readonly redis: Redis;
  /** Its working directory: a replica writes the primary's snapshot there before loading it. */
  readonly dir: string;
}

/** A primary and two replicas: real redis-server processes, each in a directory of its own that is removed after the test. */
async function startReplicatedRedis(started: Node[]): Promise<{ primary: Node; replicas: [Node, Node] }> {
  const start = async (replicaOf?: number): Promise<Node> => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'tandem-replica-acks-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
    const child = spawn('redis-server', replicaOf === undefined ? args : [...args, '--replicaof', '127.0.0.1', String(replicaOf)], { stdio: 'ignore' });
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: (attempt) => (attempt > 100 ? null : 50) });
    redis.on('error', () => undefined);
    const node = { port, process: child, redis, dir };
    started.push(node);
    await expect.poll(() => redis.ping().catch(() => 'not yet'), { timeout: 30_000 }).toBe('PONG');
    return node;
  };
  const primary = await start();
  const replicas: [Node, Node] = [await start(primary.port), await start(primary.port)];
  // ROLE lists a replica once its first sync is done.
  await expect.poll(async () => ((await primary.redis.role()) as [string, number, unknown[]])[2].length, { timeout: 30_000 }).toBe(2);
  return { primary, replicas };
}

describe(withReplicaAcks.name, () => {
  const started: Node[] = [];
  afterEach(async () => {
    for (const node of started.splice(0)) {
      node.redis.disconnect();
      if (node.process.exitCode === null && node.process.signalCode === null) {
        node.process.kill('SIGCONT');
        node.process.kill('SIGKILL');
        await once(node.process, 'exit');
      }
      await rm(node.dir, { recursive: true, force: true });
    }
  });

  it('answers a lease grant once every replica holds it, so whichever replica is promoted refuses the field to another session', async () => {
    const { primary, replicas } = await startReplicatedRedis(started);
    const unconfirmed: UnconfirmedWrite[] = [];
    // A loaded machine can starve a replica past 500 ms, the default; this test is about whom the grant waits for, not how long.
    const store = withReplicaAcks(createRedisStore({ redis: primary.redis, prefix: PREFIX }), primary.redis, (write) => unconfirmed.push(write), {
      timeoutMs: 120_000,
    });

    const grant = await store.leases.acquire({ ref, path: 'spec.replicas', owner: 'alice', sessionId: 's-alice', ttlMs: 60_000 });
    expect(grant.granted).toBe(true);
    expect(unconfirmed).toEqual([]);
    // The primary dies the moment the grant is answered.
    primary.process.kill('SIGKILL');
    await once(primary.process, 'exit');

    for (const replica of replicas) {
      await replica.redis.replicaof('NO', 'ONE');
      const promoted = createRedisStore({ redis: replica.redis, prefix: PREFIX });
      const other = await promoted.leases.acquire({ ref, path: 'spec.replicas', owner: 'bob', sessionId: 's-bob', ttlMs: 60_000 });
      expect(other.granted ? 'granted to bob' : `held by ${other.holder.owner} with token ${other.holder.token}`).toBe(
        `held by alice with token ${grant.granted ? grant.lease.token : 'none'}`,
      );
    }
  });

  it('waits for every replica, not one: a replica that stops answering makes the grant wait and the gateway hear of it', async () => {
    const { primary, replicas } = await startReplicatedRedis(started);
    const unconfirmed: UnconfirmedWrite[] = [];
    const store = withReplicaAcks(createRedisStore({ redis: primary.redis, prefix: PREFIX }), primary.redis, (write) => unconfirmed.push(write), {
      timeoutMs: 500,
    });
    // A stopped process keeps its connection open: the primary still counts it as an online replica.
    replicas[1].process.kill('SIGSTOP');

    const grant = await store.leases.acquire({ ref, path: 'spec.replicas', owner: 'alice', sessionId: 's-alice', ttlMs: 60_000 });
    // Still answered: the store stays available while a replica is down.
    expect(grant.granted).toBe(true);
    // The running replica confirms within the wait unless the machine starves it too: either way not all did.
    expect(unconfirmed).toEqual([{ what: 'a lease grant', confirmed: expect.any(Number), replicas: 2, waitedMs: 500 }]);
    expect(unconfirmed[0]?.confirmed).toBeLessThan(2);
  });
});
