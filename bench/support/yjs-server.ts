/**
 * The peer's server for the collaboration benchmark: y-websocket's own connection handler
 * (`@y/websocket-server`) on a `ws` server, in a child process so its memory is its own.
 * Prints `yjs server listening on <port>`; answers the IPC message `{ type: 'memory' }`
 * with its RSS after a full garbage collection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';
import { settledMemory } from './settled-memory.js';

const http = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('okay');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (socket, request) => setupWSConnection(socket, request));
http.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'memory') void settledMemory().then((memory) => process.send?.(memory));
});
process.on('SIGTERM', () => process.exit(0));
// The bench process holds the IPC channel: if it dies, so does this server.
process.on('disconnect', () => process.exit(0));

http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`yjs server listening on ${(http.address() as AddressInfo).port}\n`);
});
