import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type { GatewayPeers, PeerServer } from '../socket/gateway-peers.js';
import { reopenWhenEnded } from '../store/redis-connection.js';

/**
 * Connects the socket.io server to its peers through Redis pub/sub (`@socket.io/redis-adapter`), so a
 * room spans every gateway, and connects `peers` for the notes gateways send each other. Returns the cleanup.
 */
export function attachRedisAdapter(server: Server, connect: () => Redis, prefix: string, peers: GatewayPeers, warn: (message: string) => void): () => Promise<void> {
  const publisher = connect();
  const subscriber = publisher.duplicate();
  // Without a listener ioredis prints every reconnect failure to stderr; one warning per distinct error is enough.
  let lastError: string | undefined;
  for (const [role, client] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    client.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      warn(`socket.io Redis adapter (${role}): ${error.message}`);
    });
    client.on('ready', () => (lastError = undefined));
  }
  const stopReopening = [publisher, subscriber].map((client, index) => reopenWhenEnded(client, () => warn(`socket.io Redis adapter (${index === 0 ? 'publisher' : 'subscriber'}): the connection had ended; opening it again`)));
  server.adapter(createAdapter(publisher, subscriber, { key: `${prefix}:socket.io` }));
  // Server-side events are not in the client protocol maps; they only travel between gateways.
  peers.connect(server as unknown as PeerServer);
  return async () => {
    peers.disconnect();
    for (const stop of stopReopening) stop();
    // QUIT waits for a connection, so while Redis is down it would hold shutdown forever: drop those instead.
    await Promise.allSettled([publisher, subscriber].map(async (client) => (client.status === 'ready' ? client.quit() : client.disconnect())));
  };
}
