/**
 * The floor of the steady lease shape: a bare socket.io server that answers `acquire` and `release`
 * at once (a counter for the token, no store, no checks) and tells the room of them the way a
 * Tandem gateway tells of lease changes: one `changed` event to its sockets, 10 ms after the first
 * change of a quiet spell and at most one per 100 ms, listing every grant and end with the fields
 * of a `lock:changed`. Like the gateways, two of these send each other their own changes with each
 * event (over a direct socket.io connection rather than Redis), and each puts its peer's into its
 * next event. What is left is what socket.io, the loopback and the client processes cost.
 *
 * Prints `room echo server listening on <port>`; the IPC message `{ peerPort }` connects it to its
 * peer and is answered `{ connected: true }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectTo, type Socket } from 'socket.io-client';

const ROOM = 'room';
const FIRST_DELAY_MS = 10;
const INTERVAL_MS = 100;

interface Grant {
  readonly path: string;
  readonly owner: string;
  readonly sessionId: string;
  readonly token: number;
  readonly expiresAt: number;
}

interface Ended {
  readonly path: string;
  readonly token: number;
}

interface Changes {
  acquired: Grant[];
  released: Ended[];
}

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
let token = 0;
let all: Changes = { acquired: [], released: [] };
let own: Changes = { acquired: [], released: [] };
let timer: NodeJS.Timeout | undefined;
let last = 0;
let peer: Socket | undefined;

function flush(): void {
  timer = undefined;
  last = Date.now();
  io.to(ROOM).emit('changed', { ref: { context: 'floor', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' }, ...all });
  if (own.acquired.length + own.released.length > 0) peer?.emit('peer-changes', own);
  all = { acquired: [], released: [] };
  own = { acquired: [], released: [] };
}

function changed(acquired: readonly Grant[], released: readonly Ended[], mine: boolean): void {
  for (const changes of mine ? [all, own] : [all]) {
    changes.acquired.push(...acquired);
    changes.released.push(...released);
  }
  timer ??= setTimeout(flush, Math.max(FIRST_DELAY_MS, last + INTERVAL_MS - Date.now()));
}

const field = (payload: unknown, name: 'path' | 'token'): unknown => (typeof payload === 'object' && payload !== null && name in payload ? (payload as Record<string, unknown>)[name] : undefined);
const pathOf = (payload: unknown): string => String(field(payload, 'path') ?? '');

io.on('connection', (socket) => {
  if (socket.handshake.auth['peer'] === true) {
    socket.on('peer-changes', (changes: Changes) => changed(changes.acquired, changes.released, false));
    return;
  }
  void socket.join(ROOM);
  socket.on('acquire', (payload: unknown, ack: unknown) => {
    const grant = { path: pathOf(payload), owner: String(socket.handshake.auth['user'] ?? ''), sessionId: socket.id, token: ++token, expiresAt: Date.now() + 15_000 };
    if (typeof ack === 'function') ack({ ok: true, lease: grant });
    changed([grant], [], true);
  });
  socket.on('release', (payload: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack({ ok: true });
    changed([], [{ path: pathOf(payload), token: Number(field(payload, 'token') ?? 0) }], true);
  });
});
process.on('message', (message: { peerPort?: number }) => {
  peer = connectTo(`http://127.0.0.1:${message.peerPort ?? 0}`, { transports: ['websocket'], auth: { peer: true } });
  peer.once('connect', () => process.send?.({ connected: true }));
});
process.on('SIGTERM', () => process.exit(0));
// The bench process holds the IPC channel: if it dies, so does this server.
process.on('disconnect', () => process.exit(0));
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`room echo server listening on ${(http.address() as AddressInfo).port}\n`);
});
