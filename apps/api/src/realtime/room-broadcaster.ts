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

  toRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.to(room).emit(event, ...args);
  }

  toLocalRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.local.to(room).emit(event, ...args);
  }

  /** Rooms with at least one socket of this gateway. */
  localRooms(): string[] {
    const rooms = this.server?.of('/').adapter.rooms;
    return rooms === undefined ? [] : [...rooms.keys()];
  }
}
