import { Injectable, Logger } from '@nestjs/common';
import type { z } from 'zod';

/** The part of a socket.io server (with the Redis adapter) that talks to the other gateways. */
export interface PeerServer {
  on(event: string, listener: (note: unknown) => void): void;
  serverSideEmit(event: string, note: unknown): void;
}

/** A kind of note between gateways: its event name and the schema every note of it is checked against. */
export interface PeerTopic<T> {
  readonly event: string;
  readonly schema: z.ZodType<T>;
}

export const peerTopic = <T>(event: string, schema: z.ZodType<T>): PeerTopic<T> => ({ event, schema });

/**
 * Notes between gateways that share Redis (socket.io server-side events: every other gateway hears
 * each note once; the sender does not). A single gateway has no peers, and `publish` does nothing.
 * What arrives is checked against the topic's schema: a note that does not match (from a gateway of
 * another version, say) is dropped, with one warning per topic.
 */
@Injectable()
export class GatewayPeers {
  private readonly logger = new Logger(GatewayPeers.name);
  private readonly listeners = new Map<string, (note: unknown) => void>();
  private readonly warned = new Set<string>();
  private server: PeerServer | undefined;

  /** True while connected to peers through Redis (there may be none running). */
  get connected(): boolean {
    return this.server !== undefined;
  }

  /** Connects to the other gateways (once the socket.io server has its Redis adapter). */
  connect(server: PeerServer): void {
    this.server = server;
    for (const [event, listener] of this.listeners) server.on(event, listener);
  }

  /** Stops publishing (at shutdown, before the Redis connections close). */
  disconnect(): void {
    this.server = undefined;
  }

  /** Hears the peers' notes of `topic`. */
  on<T>(topic: PeerTopic<T>, handle: (note: T) => void): void {
    const listener = (note: unknown): void => {
      if (this.server === undefined) return;
      const parsed = topic.schema.safeParse(note);
      if (parsed.success) {
        handle(parsed.data);
      } else if (!this.warned.has(topic.event)) {
        this.warned.add(topic.event);
        this.logger.warn(`dropped a peer gateway's ${topic.event} note that this version cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      }
    };
    this.listeners.set(topic.event, listener);
    this.server?.on(topic.event, listener);
  }

  /** Tells every other gateway (nothing when there are none). */
  publish<T>(topic: PeerTopic<T>, note: T): void {
    this.server?.serverSideEmit(topic.event, note);
  }
}
