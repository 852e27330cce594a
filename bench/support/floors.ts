/**
 * Floors: what one Redis round trip and one socket.io round trip cost on this machine,
 * so that the collaboration figures can be read against what the transport alone costs.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
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

/** An ack round trip to a bare socket.io server in a child process, one at a time, after a warm-up. */
export async function socketIoFloor(calls: number): Promise<Floor> {
  const server = await startChild({ name: 'socket.io echo server', args: tsxArgs('echo-server.ts'), readyPattern: /listening on (\d+)/, ipc: true });
  const socket = io(`http://127.0.0.1:${server.readyMatch[1]}`, { transports: ['websocket'], reconnection: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const echo = (payload: number): Promise<unknown> => socket.timeout(5_000).emitWithAck('echo', payload);
    for (let i = 0; i < 200; i++) await echo(i);
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const start = performance.now();
      await echo(i);
      samples.push(performance.now() - start);
    }
    const { p50, p99 } = percentiles(samples);
    return { p50, p99, samples: samples.length };
  } finally {
    socket.close();
    await server.stop();
  }
}
