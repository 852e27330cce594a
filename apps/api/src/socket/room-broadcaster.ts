import { Injectable } from '@nestjs/common';
import type { ServerToClientEvents } from '@tandem/sync';
import type { TandemServer } from './tandem-socket.js';

/**
 * Typed room broadcasts for the capabilities behind the socket gateway. `toRoom` goes through the
 * socket.io adapter (every gateway's sockets); `toLocalRoom` reaches this gateway's sockets only.
 * The gateway hands over its server once socket.io has started (`attach`); before that, and in a
 * process without sockets, broadcasts go nowhere.
 */
@Injectable()
export class RoomBroadcaster {
  private server: TandemServer | undefined;
  private readonly sent = new Map<keyof ServerToClientEvents, number>();

  attach(server: TandemServer): void {
    this.server = server;
  }

  toRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.to(room).emit(event, ...args);
    this.count(event);
  }

  toLocalRoom<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.local.to(room).emit(event, ...args);
    this.count(event);
  }

  /** To every socket of this gateway: what every gateway learns by itself (contexts from the kubeconfig files). */
  toLocalSockets<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    this.server?.local.emit(event, ...args);
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

  /** Sockets connected to this gateway. */
  localSocketCount(): number {
    return this.server?.of('/').sockets.size ?? 0;
  }

  /** The socket ids in each of this gateway's rooms whose name starts with `prefix`. */
  localRoomMembers(prefix: string): ReadonlySet<string>[] {
    const rooms = this.server?.of('/').adapter.rooms;
    return rooms === undefined ? [] : [...rooms].filter(([room]) => room.startsWith(prefix)).map(([, sockets]) => sockets);
  }

  private count(event: keyof ServerToClientEvents): void {
    if (this.server !== undefined) this.sent.set(event, (this.sent.get(event) ?? 0) + 1);
  }
}
