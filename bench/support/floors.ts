/**
 * Floors: what one Redis round trip and one socket.io round trip cost on this machine,
 * so that the collaboration figures can be read against what the transport alone costs.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import type { ResourceRef } from '@tandem/sync';
import { percentiles } from '../types.js';
import { startChild, tsxArgs } from './child-process.js';
import type { LeaseSamples } from './lease-requesters.js';
import { startRequesterProcesses, type RequesterProcesses } from './requester-processes.js';

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

/** One figure from every requester process's samples; requests left unanswered mean there is none. */
function floorOf(results: readonly LeaseSamples[]): Floor {
  const unanswered = results.reduce((sum, result) => sum + result.unanswered, 0);
  if (unanswered > 0) throw new Error(`${unanswered} requests to the room echo servers went unanswered`);
  const { p50, p99 } = percentiles(results.flatMap((result) => result.samples));
  return { p50, p99, samples: results.reduce((sum, result) => sum + result.samples.length, 0) };
}

const startRoomEchoServer = (index: number) =>
  startChild({ name: `room echo server ${index + 1}`, args: tsxArgs('room-echo-server.ts'), readyPattern: /listening on (\d+)/, ipc: true });

/**
 * The floors of the lease shapes: the same requesters in the same child processes, asking all at
 * once (`rounds` times, after one unrecorded round, 500 ms apart) and then each pausing 0-2 s,
 * acquiring, holding 250 ms and releasing, for `seconds`; against two room echo servers that answer
 * at once and tell their rooms of every grant and end as Tandem's gateways do (at most one event per
 * 100 ms, with the peer server's changes merged in), with `receivers` more sockets in the room held
 * by this process. What is left is socket.io, the loopback and this machine's processes competing
 * for its cores.
 */
export async function socketIoLeaseFloors(options: { requesters: number; receivers: number; rounds: number; seconds: number; ref: ResourceRef }): Promise<{ burst: Floor; steady: Floor }> {
  const servers = await Promise.all([0, 1].map(startRoomEchoServer));
  const ports = servers.map((server) => Number(server.readyMatch[1]));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const sockets: Socket[] = [];
  let requesters: RequesterProcesses | undefined;
  try {
    await Promise.all(servers.map((server, i) => server.ask({ peerPort: ports[1 - i] })));
    for (let i = 0; i < options.receivers; i++) sockets.push(await connectEcho(String(ports[i % ports.length])));
    requesters = await startRequesterProcesses({ transport: 'bare', urls, requesters: options.requesters, ref: options.ref, timeoutMs: 15_000 });
    const bursts: LeaseSamples[] = [];
    for (let round = 0; round <= options.rounds; round++) {
      const results = await requesters.ask({ type: 'burst' });
      // Round 0 warms up.
      if (round > 0) bursts.push(...results);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { burst: floorOf(bursts), steady: floorOf(await requesters.ask({ type: 'steady', seconds: options.seconds })) };
  } finally {
    await requesters?.stop();
    for (const socket of sockets) socket.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
}
