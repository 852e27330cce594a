/**
 * The floor of the steady lease shape: a bare socket.io server that answers `acquire` and `release`
 * at once (a counter for the token, no store, no checks) and tells the room of them the way a
 * Tandem gateway tells of lease changes: one `changed` event to all its sockets, 10 ms after the
 * first change of a quiet spell and at most one per 100 ms, listing every grant and end with the
 * fields of a `lock:changed`. What is left is what socket.io, the loopback and the client processes
 * cost. Prints `room echo server listening on <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

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

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
let token = 0;
let acquired: Grant[] = [];
let released: { path: string; token: number }[] = [];
let timer: NodeJS.Timeout | undefined;
let last = 0;

function flush(): void {
  timer = undefined;
  last = Date.now();
  io.to(ROOM).emit('changed', { ref: { context: 'floor', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' }, acquired, released });
  acquired = [];
  released = [];
}

function changed(): void {
  timer ??= setTimeout(flush, Math.max(FIRST_DELAY_MS, last + INTERVAL_MS - Date.now()));
}

const pathOf = (payload: unknown): string => (typeof payload === 'object' && payload !== null && 'path' in payload && typeof payload.path === 'string' ? payload.path : '');

io.on('connection', (socket) => {
  void socket.join(ROOM);
  socket.on('acquire', (payload: unknown, ack: unknown) => {
    const grant = { path: pathOf(payload), owner: String(socket.handshake.auth['user'] ?? ''), sessionId: socket.id, token: ++token, expiresAt: Date.now() + 15_000 };
    if (typeof ack === 'function') ack({ ok: true, lease: grant });
    acquired.push(grant);
    changed();
  });
  socket.on('release', (payload: unknown, ack: unknown) => {
    const ended = typeof payload === 'object' && payload !== null && 'token' in payload && typeof payload.token === 'number' ? payload.token : 0;
    if (typeof ack === 'function') ack({ ok: true });
    released.push({ path: pathOf(payload), token: ended });
    changed();
  });
});
process.on('SIGTERM', () => process.exit(0));
// The bench process holds the IPC channel: if it dies, so does this server.
process.on('disconnect', () => process.exit(0));
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`room echo server listening on ${(http.address() as AddressInfo).port}\n`);
});
