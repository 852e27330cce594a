/**
 * Live collaboration at scale: cursor latency, idle traffic and memory per client for
 * Tandem (two gateways + Redis) against the usual peer (Yjs awareness on y-websocket),
 * with the Redis and socket.io round trips of this machine as floors.
 * `npm run bench -- collab`; TANDEM_BENCH_CLIENTS / TANDEM_BENCH_IDLE_SECONDS shrink a trial run.
 */
import { ms, type BenchRow, type BenchSection } from './types.js';
import { measureYjsPeer } from './peer-yjs.js';
import { stopAllChildren } from './support/child-process.js';
import type { CollabFigures, CollabOptions } from './support/collab-figures.js';
import { redisFloor, socketIoFloor, socketIoLeaseFloors } from './support/floors.js';
import { REQUESTER_PROCESSES } from './support/requester-processes.js';
import { measureTandem, NotMeasuredError, SHOP_WEB, type TandemFigures } from './tandem-collab.js';

const positiveNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
};

const REDIS_URL = process.env['TANDEM_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const FLOOR_CALLS = 2_000;
const LATENCY_TARGET_MS = 50;
const LEASE_TARGET_MS = 5;
const LEASE_ROUNDS = 3;
const LEASE_REQUESTERS = 200;
const LEASE_STEADY_SECONDS = 10;
const MEMORY_TARGET_BYTES = 64 * 1024;

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const perSecond = (x: number): string => `${x.toFixed(1)} /s`;
const ratio = (x: number): string => `${x.toFixed(3)}×`;

function collabRows(side: string, figures: CollabFigures): BenchRow[] {
  const { latency } = figures;
  return [
    { name: `${side}: cursor latency p50 (N=${figures.clients})`, value: ms(latency.p50) },
    { name: `${side}: cursor latency p99`, value: ms(latency.p99) },
    { name: `${side}: cursor moves delivered`, value: `${latency.samples}/${latency.expected}`, target: 'all', pass: latency.samples === latency.expected },
  ];
}

function peerRows(peer: CollabFigures): BenchRow[] {
  return [
    ...collabRows('Yjs', peer),
    { name: `Yjs: idle frames received, all clients (${Math.round(peer.idleSeconds)} s)`, value: perSecond(peer.idleFramesPerSecond) },
    { name: 'Yjs: server memory (RSS) per client', value: kib(peer.memoryPerClientBytes) },
    { name: 'Yjs: server JS heap per client', value: kib(peer.heapPerClientBytes) },
  ];
}

function tandemRows(tandem: TandemFigures, peer: CollabFigures | undefined): BenchRow[] {
  const delivered = tandem.latency.samples === tandem.latency.expected;
  const rows: BenchRow[] = [
    { name: `Tandem: cursor latency p50 (N=${tandem.clients}, ${tandem.gateways} gateways)`, value: ms(tandem.latency.p50) },
    { name: 'Tandem: cursor latency p99', value: ms(tandem.latency.p99), target: `p99 < ${LATENCY_TARGET_MS} ms, all delivered`, pass: delivered && tandem.latency.p99 < LATENCY_TARGET_MS },
    { name: 'Tandem: cursor moves delivered', value: `${tandem.latency.samples}/${tandem.latency.expected}`, target: 'all', pass: delivered },
  ];
  if (tandem.leases.length === 0) {
    rows.push({ name: 'Tandem: lease acquire round trip', value: 'not measured', target: tandem.leaseSkipped ?? '' });
  }
  for (const lease of tandem.leases) {
    // The lone client is the reference (Tandem's own floor); the target is for the crowd.
    const crowd = lease.requesters > 1;
    const label = `Tandem: lease acquire (${lease.requesters} ${crowd ? 'requesters' : 'requester'}, ${lease.shape})`;
    const target = crowd ? `p99 < ${LEASE_TARGET_MS} ms` : undefined;
    rows.push(
      { name: `${label} p50`, value: ms(lease.p50) },
      lease.unanswered > 0
        ? {
            name: `${label} p99`,
            value: `> ${lease.timeoutMs} ms`,
            target: `${target ?? 'p99'} (${lease.unanswered}/${lease.unanswered + lease.samples} unanswered)`,
            pass: false,
          }
        : { name: `${label} p99 (${lease.samples} acquires)`, value: ms(lease.p99), ...(target === undefined ? {} : { target, pass: lease.p99 < LEASE_TARGET_MS }) },
      { name: `${label}, inside the gateways: 99% answered within`, value: lease.gatewayP99BoundMs === undefined ? 'not read' : `≤ ${lease.gatewayP99BoundMs} ms` },
    );
  }
  rows.push(
    { name: 'Tandem: gateway memory (RSS) per idle client', value: kib(tandem.memoryPerClientBytes), target: `< ${kib(MEMORY_TARGET_BYTES)}`, pass: tandem.memoryPerClientBytes < MEMORY_TARGET_BYTES },
    { name: 'Tandem: gateway JS heap per idle client', value: kib(tandem.heapPerClientBytes) },
    { name: `Tandem: idle socket.io events received, all clients (${Math.round(tandem.idleSeconds)} s)`, value: perSecond(tandem.idleEventsPerSecond) },
    { name: 'Tandem: idle engine.io pings received, all clients', value: perSecond(tandem.idlePingsPerSecond) },
    { name: 'Tandem: idle frames received (events + pings)', value: perSecond(tandem.idleFramesPerSecond) },
  );
  if (peer !== undefined) {
    const latencyRatio = tandem.latency.p99 / peer.latency.p99;
    const idleRatio = peer.idleFramesPerSecond > 0 ? tandem.idleFramesPerSecond / peer.idleFramesPerSecond : Number.NaN;
    rows.push(
      { name: 'Tandem/Yjs: cursor latency p99', value: ratio(latencyRatio), target: '< 1× (beat the peer)', pass: delivered && latencyRatio < 1 },
      { name: 'Tandem/Yjs: idle frames', value: ratio(idleRatio), target: '≤ 0.1× (a tenth)', pass: idleRatio <= 0.1 },
      { name: 'Tandem/Yjs: server memory per client', value: ratio(tandem.memoryPerClientBytes / peer.memoryPerClientBytes) },
    );
  }
  return rows;
}

export async function run(): Promise<BenchSection> {
  const options: CollabOptions = {
    clients: positiveNumber('TANDEM_BENCH_CLIENTS', 500),
    updatesPerSecond: 10,
    typingSeconds: 10,
    idleSeconds: positiveNumber('TANDEM_BENCH_IDLE_SECONDS', 36),
  };
  const rows: BenchRow[] = [];
  // An interrupted run still stops the servers it started.
  const onSignal = (signal: NodeJS.Signals): void => {
    void stopAllChildren().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const redis = await redisFloor(REDIS_URL, FLOOR_CALLS);
    const socketIo = await socketIoFloor(FLOOR_CALLS);
    // The rest of the room besides the requesters: the receivers they replace, and the writer.
    const leaseFloors = await socketIoLeaseFloors({ requesters: LEASE_REQUESTERS, receivers: options.clients + 1 - LEASE_REQUESTERS, rounds: LEASE_ROUNDS, seconds: LEASE_STEADY_SECONDS, ref: SHOP_WEB });
    rows.push(
      { name: 'Floor: Redis PING round trip p50', value: ms(redis.p50) },
      { name: 'Floor: Redis PING round trip p99', value: ms(redis.p99) },
      { name: 'Floor: socket.io ack round trip p50 (bare server)', value: ms(socketIo.p50) },
      { name: 'Floor: socket.io ack round trip p99 (bare server)', value: ms(socketIo.p99) },
      { name: `Floor: lease shape ${LEASE_REQUESTERS} requesters all at once, ${LEASE_ROUNDS} rounds, against 2 bare servers that broadcast each change, p50`, value: ms(leaseFloors.burst.p50) },
      { name: `Floor: lease shape all at once, p99 (${leaseFloors.burst.samples} acquires)`, value: ms(leaseFloors.burst.p99) },
      { name: `Floor: lease shape ${LEASE_REQUESTERS} requesters each about once a second, ${LEASE_STEADY_SECONDS} s, against 2 bare servers that broadcast each change, p50`, value: ms(leaseFloors.steady.p50) },
      { name: `Floor: lease shape each about once a second, p99 (${leaseFloors.steady.samples} acquires)`, value: ms(leaseFloors.steady.p99) },
    );

    // A peer that cannot be driven on this machine is reported, and Tandem is still measured.
    let peer: CollabFigures | undefined;
    try {
      peer = await measureYjsPeer(options);
      rows.push(...peerRows(peer));
    } catch (error) {
      rows.push({ name: 'Yjs (y-websocket awareness)', value: 'not measured', target: error instanceof Error ? error.message : String(error) });
    }

    try {
      const tandem = await measureTandem({ ...options, gateways: 2, redisUrl: REDIS_URL, leaseRequesters: LEASE_REQUESTERS, leaseRounds: LEASE_ROUNDS, leaseSteadySeconds: LEASE_STEADY_SECONDS });
      rows.push(...tandemRows(tandem, peer));
    } catch (error) {
      if (!(error instanceof NotMeasuredError)) throw error;
      rows.push({ name: 'Tandem (two gateways + Redis)', value: 'not measured', target: error.message });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopAllChildren();
  }

  return {
    title: 'Live collaboration: Tandem vs Yjs awareness',
    method: [
      `All on loopback, one machine. Floors: ${FLOOR_CALLS} sequential ioredis PINGs; ${FLOOR_CALLS} sequential socket.io acks to a bare echo server in a child process; and Tandem's two lease shapes below, the same requester processes doing the same, against two bare socket.io servers in child processes (\`room-echo-server.ts\`) that answer each acquire and release at once and tell their room of every grant and end as Tandem's gateways do (one event with the same fields 10 ms after the first change, at most one per 100 ms, with the other server's changes merged in: each sends the other its own over a direct socket.io connection), with the rest of the room (${options.clients + 1 - LEASE_REQUESTERS} sockets) in the bench process; the burst after one unrecorded round: what socket.io, the loopback and this machine's two cores cost those shapes with servers that do nothing else.`,
      `Yjs: one @y/websocket-server in a child process; ${options.clients} receivers + 1 writer (y-websocket providers over \`ws\`, BroadcastChannel off) in the bench process, one room.`,
      `Tandem: two gateway processes (\`apps/api/dist/main.js\`, REDIS_URL set, one sandbox cluster started by the bench), ${options.clients} TandemClients alternating between them plus a writer on the first, all joined to shop/web.`,
      `The writer moves its cursor ${options.updatesPerSecond}×/s for ${options.typingSeconds} s (Yjs: awareness state with a sentAt timestamp; Tandem: \`presence:update\` with the move's number as selection.startLine and the send time kept by the writer);`,
      'latency = receipt - send on the one clock of the bench process, over every receiver.',
      `Idle traffic: with nobody typing for ${options.idleSeconds} s (more than two of Yjs' 15 s awareness renewals), Yjs counts every WebSocket message event received by any client (WebSocket-level pings are control frames and not counted);`,
      'Tandem counts every socket.io event received (onAny) plus every engine.io ping packet, so Tandem is charged for its keep-alives and Yjs is not.',
      'Memory per client: (server memory with all clients connected - before any client) / (N + 1), both read after two forced full GCs in each server (Yjs: in-process `gc()`; Tandem: HeapProfiler.collectGarbage over the inspector of both gateways, started with --inspect), 3 s after the last join; RSS from process.memoryUsage (Yjs) or /proc/<pid>/status VmRSS (Tandem), JS heap from the V8 heap in use.',
      `Lease: ${LEASE_REQUESTERS} TandemClients in ${REQUESTER_PROCESSES} child processes of ${LEASE_REQUESTERS / REQUESTER_PROCESSES} (as people's browsers are apart; one process decoding the room's broadcasts for hundreds of sockets would hold every ack behind them), alternating between the gateways and joined to shop/web in place of as many receivers (so the room still holds 500 clients), each on its own field path; two shapes: all ask at the same moment (${LEASE_ROUNDS} rounds, all released untimed between rounds); then for ${LEASE_STEADY_SECONDS} s each pauses 0-2 s at random, acquires, holds 250 ms and releases, again and again. The acquire round trip is timed. Before the crowd joins, one client alone in the room acquires and releases 1,000 times in a row (after 50 unrecorded), for reference. "Inside the gateways" reads both gateways' \`tandem_lease_acquire_duration_seconds\` histogram before and after each shape (receipt of the request to its ack, store included), to the precision of its buckets.`,
    ].join(' '),
    rows,
  };
}
