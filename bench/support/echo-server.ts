/**
 * The socket.io floor: a bare socket.io server that answers every `echo` with an ack
 * carrying the payload back, so one round trip costs only socket.io and the loopback.
 * Prints `echo server listening on <port>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'] });
io.on('connection', (socket) => {
  socket.on('echo', (payload: unknown, ack: unknown) => {
    if (typeof ack === 'function') ack(payload);
  });
});
process.on('SIGTERM', () => process.exit(0));
// The bench process holds the IPC channel: if it dies, so does this server.
process.on('disconnect', () => process.exit(0));
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`echo server listening on ${(http.address() as AddressInfo).port}\n`);
});
