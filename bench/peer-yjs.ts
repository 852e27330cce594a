/**
 * The peer: Yjs awareness over y-websocket, the usual way to show live cursors. One
 * `@y/websocket-server` in a child process, N receivers and one writer in this process,
 * all in one room; the writer moves its cursor, the receivers time its arrival.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { inBatches, progress, sleep, startChild, tsxArgs, waitFor } from './support/child-process.js';
import type { CollabFigures, CollabOptions } from './support/collab-figures.js';
import { collectLatency, seeMoves, typeAt } from './support/collab-figures.js';
import type { SettledMemory } from './support/settled-memory.js';

interface Cursor {
  readonly seq: number;
  readonly sentAt: number;
  readonly line: number;
}

const isCursor = (value: unknown): value is Cursor =>
  typeof value === 'object' && value !== null && typeof (value as Cursor).seq === 'number' && typeof (value as Cursor).sentAt === 'number';

export async function measureYjsPeer(options: CollabOptions): Promise<CollabFigures> {
  const server = await startChild({
    name: 'y-websocket server',
    args: tsxArgs('yjs-server.ts', ['--expose-gc']),
    readyPattern: /listening on (\d+)/,
    ipc: true,
  });
  const url = `ws://127.0.0.1:${server.readyMatch[1]}`;
  const room = 'shop-web';
  let frames = 0;
  // y-websocket sets `onmessage`; an extra listener counts every message event a client receives.
  class CountingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.addEventListener('message', () => {
        frames++;
      });
    }
  }
  const providers: WebsocketProvider[] = [];
  let synced = 0;
  // Each provider adds a process 'exit' listener to close its socket.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(maxListeners + options.clients + 1);
  const connect = async (user: string): Promise<WebsocketProvider> => {
    const provider = new WebsocketProvider(url, room, new Y.Doc(), {
      // `ws` stands in for the browser WebSocket; no BroadcastChannel, or in-process clients would bypass the server.
      WebSocketPolyfill: CountingWebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    providers.push(provider);
    provider.awareness.setLocalState({ user });
    await waitFor(() => provider.synced, `${user} to sync with the y-websocket server (connected: ${String(provider.wsconnected)})`, 60_000);
    if (++synced % 100 === 0) progress(`yjs: ${synced} connected`);
    return provider;
  };

  try {
    // The server's memory before any client, to subtract from its memory with all of them.
    const idle = await server.ask<SettledMemory>({ type: 'memory' });
    const receivers = await inBatches(Array.from({ length: options.clients }, (_, i) => `reader-${i}`), 10, connect);
    const writer = await connect('writer');
    const writerId = writer.awareness.clientID;
    progress('yjs: connected; waiting for everyone to see the writer');
    await waitFor(() => receivers.every((r) => r.awareness.getStates().has(writerId)), 'every receiver to see the writer', 60_000);

    const latency = collectLatency();
    const sentAt = new Map<number, number>();
    for (const receiver of receivers) {
      const see = seeMoves(latency, sentAt);
      receiver.awareness.on('change', () => {
        const cursor: unknown = receiver.awareness.getStates().get(writerId)?.['cursor'];
        if (isCursor(cursor)) see(cursor.seq);
      });
    }
    // The connect storm (each join is broadcast to everyone) must drain before anything is measured.
    await sleep(3_000);
    const loaded = await server.ask<SettledMemory>({ type: 'memory' });

    progress('yjs: typing');
    const updates = await typeAt(options, (seq) => {
      const now = performance.now();
      sentAt.set(seq, now);
      writer.awareness.setLocalStateField('cursor', { seq, line: seq, sentAt: now } satisfies Cursor);
    });
    const expected = updates * receivers.length;
    await waitFor(() => latency.count() >= expected, 'every receiver to get every cursor move', 15_000).catch(() => undefined);

    progress(`yjs: ${latency.count()}/${expected} cursor moves delivered; idle for ${options.idleSeconds} s`);
    frames = 0;
    const idleStart = performance.now();
    await sleep(options.idleSeconds * 1000);
    const idleFrames = frames;
    const idleSeconds = (performance.now() - idleStart) / 1000;

    return {
      clients: options.clients,
      latency: latency.summary(expected),
      idleFramesPerSecond: idleFrames / idleSeconds,
      idleSeconds,
      memoryPerClientBytes: (loaded.rss - idle.rss) / (options.clients + 1),
      heapPerClientBytes: (loaded.heapUsed - idle.heapUsed) / (options.clients + 1),
      serverRssBytes: { idle: idle.rss, loaded: loaded.rss },
    };
  } finally {
    // The provider leaves its awareness (and that awareness's renewal timer) to the document.
    for (const provider of providers) {
      provider.destroy();
      provider.doc.destroy();
    }
    process.setMaxListeners(maxListeners);
    await server.stop();
  }
}
