import type { ClientToServerEvents, ServerToClientEvents } from '@tandem/sync';
import type { Server, Socket } from 'socket.io';
import type { Actor } from '../identity/actor.js';
import type { WatchedList, WatchTarget } from '../kube/watch-hub.js';

/** What the gateway keeps on each socket. */
export interface TandemSocketData {
  /** The authenticated user name (`actor.user`); later messages never override it. */
  user: string;
  /** Who the socket acts as, set once by the handshake. */
  actor: Actor;
  /** Room name -> the shared-watch subscription behind it (see ResourceSubscriptions). */
  subscriptions: Map<string, WatchSubscription>;
}

/** One socket's hold on a shared watch; `list` is set once the watch's initial list is in. */
export interface WatchSubscription {
  readonly target: WatchTarget;
  list?: WatchedList;
}

export type TandemSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TandemSocketData>;

export type TandemServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TandemSocketData>;
