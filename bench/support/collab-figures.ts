/** What both sides of the collaboration benchmark measure, and the shared typing loop. */
import { performance } from 'node:perf_hooks';
import { percentiles } from '../types.js';
import { sleep } from './child-process.js';

export interface CollabOptions {
  /** Receivers (the writer comes on top). */
  readonly clients: number;
  readonly updatesPerSecond: number;
  readonly typingSeconds: number;
  /** How long nobody types while frames are counted (must exceed Yjs' 15 s awareness renewal twice). */
  readonly idleSeconds: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  /** updates × receivers: samples below this mean some cursor moves never arrived. */
  readonly expected: number;
}

export interface CollabFigures {
  readonly clients: number;
  readonly latency: LatencySummary;
  readonly idleFramesPerSecond: number;
  readonly idleSeconds: number;
  /** Server RSS growth per receiver, from a baseline taken with only the writer connected, in bytes. */
  /** Server RSS per client, after forced garbage collections. */
  readonly memoryPerClientBytes: number;
  /** Server JS heap in use per client, after forced garbage collections. */
  readonly heapPerClientBytes: number;
  readonly serverRssBytes: { readonly idle: number; readonly loaded: number };
}

export interface LatencyCollector {
  record(ms: number): void;
  count(): number;
  summary(expected: number): LatencySummary;
}

export function collectLatency(): LatencyCollector {
  const samples: number[] = [];
  return {
    record: (ms) => {
      samples.push(ms);
    },
    count: () => samples.length,
    summary: (expected) => {
      const { p50, p99, max } = percentiles(samples);
      return { p50, p99, max, samples: samples.length, expected };
    },
  };
}

/**
 * Calls `move(seq)` (seq from 1) at `updatesPerSecond` for `typingSeconds`, on a fixed
 * schedule so that a slow tick does not stretch the run; returns how many moves were made.
 */
export async function typeAt(options: CollabOptions, move: (seq: number) => void): Promise<number> {
  const total = Math.round(options.updatesPerSecond * options.typingSeconds);
  const interval = 1000 / options.updatesPerSecond;
  const start = performance.now();
  for (let seq = 1; seq <= total; seq++) {
    const due = start + (seq - 1) * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    move(seq);
  }
  return total;
}

/**
 * One receiver's view of the writer's moves: a move counts as seen when it or a newer one
 * arrives, since a cursor shows only its latest position and a server may coalesce moves.
 * Returns the callback to invoke with each received move number.
 */
export function seeMoves(latency: LatencyCollector, sentAt: ReadonlyMap<number, number>): (seq: number) => void {
  let lastSeen = 0;
  return (seq) => {
    if (seq <= lastSeen) return;
    const now = performance.now();
    for (let move = lastSeen + 1; move <= seq; move++) {
      const sent = sentAt.get(move);
      if (sent !== undefined) latency.record(now - sent);
    }
    lastSeen = seq;
  };
}
