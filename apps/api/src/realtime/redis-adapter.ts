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
export function attachRedisAdapter(server: Server, url: string, prefix: string, authors: SaveAuthors): () => Promise<void> {
  const publisher = new Redis(url);
  const subscriber = publisher.duplicate();
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
    await Promise.allSettled([publisher.quit(), subscriber.quit()]);
  };
}
