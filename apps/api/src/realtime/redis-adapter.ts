import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { z } from 'zod';
import type { SaveAuthors } from './save-authors.js';

const SAVE_AUTHOR_EVENT = 'tandem:save-author';
const saveAuthorNoteSchema = z.strictObject({ resourceKey: z.string(), resourceVersion: z.string(), user: z.string() });

/**
 * Connects the socket.io server to its peers through Redis pub/sub (`@socket.io/redis-adapter`), so a
 * room spans every gateway, and shares who wrote which version between gateways. Returns the cleanup.
 */
export function attachRedisAdapter(server: Server, url: string, prefix: string, authors: SaveAuthors, warn: (message: string) => void): () => Promise<void> {
  const publisher = new Redis(url);
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
  server.adapter(createAdapter(publisher, subscriber, { key: `${prefix}:socket.io` }));
  // Server-side events are not in the client protocol maps; they only travel between gateways.
  const peers = server as unknown as { on(event: string, listener: (note: unknown) => void): void; serverSideEmit(event: string, note: unknown): void };
  peers.on(SAVE_AUTHOR_EVENT, (note) => {
    const parsed = saveAuthorNoteSchema.safeParse(note);
    if (parsed.success) authors.remember(parsed.data);
  });
  authors.publish = (note) => peers.serverSideEmit(SAVE_AUTHOR_EVENT, note);
  return async () => {
    authors.publish = undefined;
    // QUIT waits for a connection, so while Redis is down it would hold shutdown forever: drop those instead.
    await Promise.allSettled([publisher, subscriber].map(async (client) => (client.status === 'ready' ? client.quit() : client.disconnect())));
  };
}
