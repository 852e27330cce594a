/**
 * Floors: what one Redis round trip and one socket.io round trip cost on this machine,
 * so that the collaboration figures can be read against what the transport alone costs.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { percentiles } from '../types.js';
import { startChild, tsxArgs } from './child-process.js';

export interface Floor {
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
}

/** `PING` round trips, one at a time, after a warm-up. */
export async function redisFloor(redisUrl: string, calls: number): Promise<Floor> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (let i = 0; i < 200; i++) await redis.ping();
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await redis.ping();
      samples.push(performance.now() - start);
    }
    const { p50, p99 } = percentiles(samples);
    return { p50, p99, samples: samples.length };
  } finally {
    redis.disconnect();
  }
}

const startEchoServer = () => startChild({ name: 'socket.io echo server', args: tsxArgs('echo-server.ts'), readyPattern: /listening on (\d+)/, ipc: true });

async function connectEcho(port: string): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const echo = (socket: Socket, payload: unknown): Promise<unknown> => socket.timeout(5_000).emitWithAck('echo', payload);

/** An ack round trip to a bare socket.io server in a child process, one at a time, after a warm-up. */
export async function socketIoFloor(calls: number): Promise<Floor> {
  const server = await startEchoServer();
  const socket = await connectEcho(server.readyMatch[1] ?? '');
  try {
    for (let i = 0; i < 200; i++) await echo(socket, i);
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await echo(socket, i);
      samples.push(performance.now() - start);
    }
    const { p50, p99 } = percentiles(samples);
    return { p50, p99, samples: samples.length };
  } finally {
    socket.close();
    await server.stop();
  }
}

/**
 * The same, with `clients` sockets each sending one request in the same millisecond (`rounds`
 * times, apart): what a burst of concurrent requests costs socket.io and this one client process,
 * with a server that does nothing. A payload the size of a `lock:acquire` request.
 */
export async function socketIoBurstFloor(clients: number, rounds: number): Promise<Floor> {
  const server = await startEchoServer();
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < clients; i++) sockets.push(await connectEcho(server.readyMatch[1] ?? ''));
    const samples: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const times = await Promise.all(
        sockets.map(async (socket, i) => {
          const start = performance.now();
          await echo(socket, { ref: { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' }, path: `metadata.annotations.benchlease${i}` });
          return performance.now() - start;
        }),
      );
      // Round 0 warms up.
      if (round > 0) samples.push(...times);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { p50, p99 } = percentiles(samples);
    return { p50, p99, samples: samples.length };
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
  }
}
