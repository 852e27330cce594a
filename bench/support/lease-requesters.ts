/**
 * Lease requesters for the collaboration benchmark, in a child process of their own: each is a
 * TandemClient joined to the resource, asking for a lease on its own field. Several of these
 * processes share the requesters, as people's browsers would, so that one client process decoding
 * the room's broadcasts for hundreds of sockets does not stand in front of every ack.
 *
 * With `transport: 'bare'` the same shapes run against room echo servers (room-echo-server.ts)
 * with plain socket.io clients: the floor of the figures.
 *
 * Configuration in the environment variable LEASE_REQUESTERS (JSON, `RequesterConfig`). Prints
 * `requesters ready` once every client has joined; answers the IPC messages `{ type: 'burst' }`
 * (every requester asks at once, then releases) and `{ type: 'steady', seconds }` (each pauses
 * 0-2 s at random, acquires, holds 250 ms, releases, again) with a `LeaseSamples`.
 */
import { performance } from 'node:perf_hooks';
import type { ResourceRef } from '@tandem/sync';
import { TandemClient, TandemRequestError } from '@tandem/sync/client';
import { io } from 'socket.io-client';

export interface RequesterConfig {
  /** `tandem`: TandemClients of the gateways at `urls`; `bare`: socket.io clients of room echo servers. */
  readonly transport: 'tandem' | 'bare';
  readonly urls: readonly string[];
  /** Index of this process's first requester among all of them (names its users and field paths). */
  readonly first: number;
  readonly count: number;
  readonly ref: ResourceRef;
  readonly timeoutMs: number;
}

export interface LeaseSamples {
  readonly samples: readonly number[];
  /** Requests with no answer within the timeout. */
  readonly unanswered: number;
  /** Error acks (any of them means there is no figure). */
  readonly failures: readonly string[];
}

export type RequesterCommand = { readonly type: 'burst' } | { readonly type: 'steady'; readonly seconds: number };

const config = JSON.parse(process.env['LEASE_REQUESTERS'] ?? '{}') as RequesterConfig;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Requester {
  /** Asks for the lease on this requester's field; resolves with its token. */
  acquire(): Promise<number>;
  release(token: number): Promise<void>;
  close(): void;
}

async function connectTandem(url: string, index: number): Promise<Requester> {
  const client = new TandemClient({ url, user: `requester-${index}`, reconnection: false, timeoutMs: config.timeoutMs });
  await client.connected();
  await client.request('resource:join', { ref: config.ref });
  const path = `metadata.annotations.benchlease${index}`;
  return {
    acquire: async () => (await client.request('lock:acquire', { ref: config.ref, path })).lease.token,
    release: async (token) => {
      await client.request('lock:release', { ref: config.ref, path, token });
    },
    close: () => client.close(),
  };
}

async function connectBare(url: string, index: number): Promise<Requester> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, auth: { user: `requester-${index}` } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const path = `metadata.annotations.benchlease${index}`;
  return {
    acquire: async () => ((await socket.timeout(config.timeoutMs).emitWithAck('acquire', { ref: config.ref, path })) as { lease: { token: number } }).lease.token,
    release: async (token) => {
      await socket.timeout(config.timeoutMs).emitWithAck('release', { ref: config.ref, path, token });
    },
    close: () => socket.close(),
  };
}

function connect(index: number): Promise<Requester> {
  const url = config.urls[index % config.urls.length] ?? '';
  return config.transport === 'bare' ? connectBare(url, index) : connectTandem(url, index);
}

function recorder() {
  const samples: number[] = [];
  const failures: string[] = [];
  let unanswered = 0;
  return {
    /** Acquires, times the round trip, and returns the token to release (untimed). */
    async acquire(requester: Requester): Promise<number | undefined> {
      const start = performance.now();
      try {
        const token = await requester.acquire();
        samples.push(performance.now() - start);
        return token;
      } catch (error) {
        if (error instanceof TandemRequestError) failures.push(`${error.code}: ${error.message}`);
        else unanswered++;
        return undefined;
      }
    },
    result: (): LeaseSamples => ({ samples, unanswered, failures }),
  };
}

async function release(requester: Requester, token: number | undefined): Promise<void> {
  // A release the gateway does not answer lapses with its lease's TTL.
  if (token !== undefined) await requester.release(token).catch(() => undefined);
}

async function burst(requesters: readonly Requester[]): Promise<LeaseSamples> {
  const timing = recorder();
  const tokens = await Promise.all(requesters.map((requester) => timing.acquire(requester)));
  await Promise.all(requesters.map((requester, i) => release(requester, tokens[i])));
  return timing.result();
}

async function steady(requesters: readonly Requester[], seconds: number): Promise<LeaseSamples> {
  const timing = recorder();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    requesters.map(async (requester) => {
      while (performance.now() < until) {
        await sleep(Math.random() * 2_000);
        const token = await timing.acquire(requester);
        await sleep(250);
        await release(requester, token);
      }
    }),
  );
  return timing.result();
}

const requesters: Requester[] = [];
for (let i = 0; i < config.count; i++) requesters.push(await connect(config.first + i));

process.on('message', (command: RequesterCommand) => {
  const run = command.type === 'burst' ? burst(requesters) : steady(requesters, command.seconds);
  void run.then((result) => process.send?.(result));
});
process.on('SIGTERM', () => {
  for (const requester of requesters) requester.close();
  process.exit(0);
});
// The bench process holds the IPC channel: if it dies, so does this one.
process.on('disconnect', () => process.exit(0));
process.stdout.write('requesters ready\n');
