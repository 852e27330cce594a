import { Inject, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '@tandem/sync';
import type { Server } from 'socket.io';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { Authenticator } from '../auth/authenticator.js';
import { checkHandshake } from '../identity/identity.js';
import { SharedWatches } from '../kube/shared-watches.service.js';
import { RequestHandlers, type TandemSocket, type TandemSocketData } from './request-handlers.js';
import { GatewayPeers } from './gateway-peers.js';
import { attachRedisAdapter } from './redis-adapter.js';
import { connectRedis } from '../store/redis-connection.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import { SaveAuthors } from './save-authors.js';
import { SessionHooks } from './session-hooks.js';
import { SOCKET_SERVER_OPTIONS } from './socket-server.options.js';

type TandemServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TandemSocketData>;

/** How long shutdown waits for the closed sockets' clean-ups (lease and presence release) to reach Redis. */
const SHUTDOWN_DRAIN_MS = 3_000;

/**
 * The socket.io endpoint browsers keep open: authenticates the handshake, dispatches every request
 * through RequestHandlers, and fans shared-watch changes out to resource and list rooms.
 */
@WebSocketGateway(SOCKET_SERVER_OPTIONS)
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private unsubscribe: (() => void) | undefined;
  private detachAdapter: (() => Promise<void>) | undefined;

  constructor(
    private readonly handlers: RequestHandlers,
    private readonly subscriptions: ResourceSubscriptions,
    private readonly watches: SharedWatches,
    private readonly hooks: SessionHooks,
    private readonly authors: SaveAuthors,
    private readonly peers: GatewayPeers,
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: TandemServer): void {
    const redis = this.config.redis;
    if (redis !== undefined) {
      // Rooms span gateways (presence broadcasts reach sockets on every gateway), and gateways send
      // each other notes (lease changes, who saved which version) through GatewayPeers.
      this.detachAdapter = attachRedisAdapter(server, () => connectRedis(redis), this.config.redisPrefix, this.peers, (message) => this.logger.warn(message));
    }
    server.use((socket, next) => {
      const refuse = (code: 'unauthenticated' | 'protocol-mismatch', message: string): void => {
        const error = new Error(message) as Error & { data?: unknown };
        error.data = { code };
        next(error);
      };
      const checked = checkHandshake(socket.handshake.auth);
      if ('rejection' in checked) {
        refuse(checked.rejection.code, checked.rejection.message);
        return;
      }
      // The user comes from the gateway's own sign-in (session cookie, proxy headers); only dev mode reads the typed name.
      this.authenticator.authenticate(socket.request, checked.typedUser).then(
        (result) => {
          if ('rejection' in result) {
            refuse('unauthenticated', `unauthenticated: ${result.rejection}`);
            return;
          }
          socket.data.actor = result.actor;
          socket.data.user = result.actor.user;
          socket.data.subscriptions = new Map();
          next();
        },
        (error: unknown) => refuse('unauthenticated', `unauthenticated: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
    // Every gateway runs its own watches, so their changes go to this gateway's own sockets only
    // (`server.local`): through the adapter each client would get one copy per gateway.
    const queues = new Map<string, Promise<void>>();
    this.unsubscribe = this.watches.onChange((change) => {
      server.local.to(rooms.list(change.listKey)).emit('list:changed', change.list);
      const { resourceKey } = change;
      const { resourceVersion, manager } = change.resource;
      const known = this.authors.authorOf(resourceKey, resourceVersion);
      const emit = (user: string | undefined): void => {
        server.local.to(rooms.resource(resourceKey)).emit('resource:changed', user === undefined ? change.resource : { ...change.resource, user });
      };
      const queued = queues.get(resourceKey);
      if (queued === undefined && (known !== undefined || manager !== 'tandem')) {
        emit(known);
        return;
      }
      // A save by Tandem whose author is not noted yet: a real API server's watch event can arrive
      // before the PUT's own answer (this gateway's save), and a peer gateway's note may trail it.
      // Wait briefly for the note, keeping this object's events in order.
      const next = (queued ?? Promise.resolve()).then(async () => emit(manager === 'tandem' ? await this.authors.waitFor(resourceKey, resourceVersion, 250) : known));
      queues.set(resourceKey, next);
      void next.then(() => {
        if (queues.get(resourceKey) === next) queues.delete(resourceKey);
      });
    });
  }

  handleConnection(socket: TandemSocket): void {
    this.logger.debug(`socket ${socket.id} connected as ${socket.data.user}`);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      void this.handlers.dispatch(socket, event, args);
    });
  }

  handleDisconnect(socket: TandemSocket): void {
    this.logger.debug(`socket ${socket.id} disconnected`);
    this.subscriptions.releaseAll(socket);
    this.hooks.disconnected(socket);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * After the socket.io server has closed (Nest closes it between the destroy and shutdown hooks):
   * closing the server unsubscribes its adapter, and the sockets' clean-ups announce what they
   * released through it, which both need the Redis connections still open.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.hooks.drain(SHUTDOWN_DRAIN_MS);
    await this.detachAdapter?.();
  }
}
