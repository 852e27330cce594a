import { Inject, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import { rooms } from '@tandem/sync';
import { Authenticator } from '../auth/authenticator.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { ContextsService } from '../contexts/contexts.service.js';
import { SaveAuthors } from '../edits/save-authors.js';
import { checkHandshake } from '../identity/identity.js';
import { SharedWatches } from '../kube/shared-watches.service.js';
import { GatewayPeers } from '../socket/gateway-peers.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import type { TandemServer, TandemSocket } from '../socket/tandem-socket.js';
import { connectRedis } from '../store/redis-connection.js';
import { EditingSessions } from './editing-sessions.js';
import { attachRedisAdapter } from './redis-adapter.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import { SOCKET_SERVER_OPTIONS } from './socket-server.options.js';

/** How long shutdown waits for the closed sockets' clean-ups (lease and presence release) to reach Redis. */
const SHUTDOWN_DRAIN_MS = 3_000;

/**
 * The one socket.io endpoint browsers keep open: authenticates the handshake, hands every request to
 * RequestDispatcher, fans shared-watch changes out to resource and list rooms (each named by its
 * author, SaveAuthors), and pushes kubeconfig context changes to every socket.
 */
@WebSocketGateway(SOCKET_SERVER_OPTIONS)
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly unsubscribe: (() => void)[] = [];
  private detachAdapter: (() => Promise<void>) | undefined;

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly subscriptions: ResourceSubscriptions,
    private readonly sessions: EditingSessions,
    private readonly watches: SharedWatches,
    private readonly authors: SaveAuthors,
    private readonly contexts: ContextsService,
    private readonly broadcaster: RoomBroadcaster,
    private readonly peers: GatewayPeers,
    private readonly authenticator: Authenticator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: TandemServer): void {
    this.broadcaster.attach(server);
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
    // Every gateway runs its own watches and follows the same kubeconfig files, so their changes go
    // to this gateway's own sockets only (`server.local`): through the adapter each client would get
    // one copy per gateway.
    this.unsubscribe.push(
      this.watches.onChange((change) => {
        server.local.to(rooms.list(change.listKey)).emit('list:changed', change.list);
        this.authors.attribute(change, (resource) => server.local.to(rooms.resource(change.resourceKey)).emit('resource:changed', resource));
      }),
      this.contexts.onChange((event) => this.broadcaster.toLocalSockets('contexts:changed', event)),
    );
  }

  handleConnection(socket: TandemSocket): void {
    this.logger.debug(`socket ${socket.id} connected as ${socket.data.user}`);
    socket.onAny((event: unknown, ...args: unknown[]) => {
      void this.dispatcher.dispatch(socket, event, args);
    });
  }

  handleDisconnect(socket: TandemSocket): void {
    this.logger.debug(`socket ${socket.id} disconnected`);
    this.subscriptions.releaseAll(socket);
    this.sessions.disconnected(socket);
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
  }

  /**
   * After the socket.io server has closed (Nest closes it between the destroy and shutdown hooks):
   * closing the server unsubscribes its adapter, and the sockets' clean-ups announce what they
   * released through it, which both need the Redis connections still open.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.sessions.drain(SHUTDOWN_DRAIN_MS);
    await this.detachAdapter?.();
  }
}
