import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { ClientToServerEvents, ServerToClientEvents } from '@tandem/sync';
import type { Server } from 'socket.io';
import type { TandemSocketData } from './request-handlers.js';
import { SOCKET_SERVER_OPTIONS } from './socket-server.options.js';

type TandemServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TandemSocketData>;

/**
 * Typed room broadcasts for capabilities that are not gateways themselves. `toRoom` goes through the
 * socket.io adapter (every gateway's sockets); `toLocalRoom` reaches this gateway's sockets only.
 */
@WebSocketGateway(SOCKET_SERVER_OPTIONS)
export class RoomBroadcaster {
  @WebSocketServer()
  server: TandemServer | undefined;
  private readonly sent = new Map<keyof ServerToClientEvents, number>();

  toRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.to(room).emit(event, ...args);
    this.count(event);
  }

  toLocalRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.local.to(room).emit(event, ...args);
    this.count(event);
  }

  /** Broadcasts of `event` this gateway has sent, one per room (for metrics). */
  sentCount(event: keyof ServerToClientEvents): number {
    return this.sent.get(event) ?? 0;
  }

  /** Whether at least one socket of this gateway is in `room`. */
  hasLocalRoom(room: string): boolean {
    return this.server?.of('/').adapter.rooms.has(room) ?? false;
  }

  /** Rooms with at least one socket of this gateway. */
  localRooms(): string[] {
    const rooms = this.server?.of('/').adapter.rooms;
    return rooms === undefined ? [] : [...rooms.keys()];
  }

  private count(event: keyof ServerToClientEvents): void {
    if (this.server !== undefined) this.sent.set(event, (this.sent.get(event) ?? 0) + 1);
  }
}
