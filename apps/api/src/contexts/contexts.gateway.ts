import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { ClientToServerEvents, ServerToClientEvents } from '@tandem/sync';
import type { Server } from 'socket.io';
import { SOCKET_SERVER_OPTIONS } from '../realtime/socket-server.options.js';
import { ContextsService } from './contexts.service.js';

/**
 * Pushes `contexts:changed` to every connected socket, so clients follow kubeconfig changes without
 * polling. Same options as the realtime gateway, so Nest attaches both to one socket.io server.
 */
@WebSocketGateway(SOCKET_SERVER_OPTIONS)
export class ContextsGateway implements OnModuleInit, OnModuleDestroy {
  @WebSocketServer()
  server: Server<ClientToServerEvents, ServerToClientEvents> | undefined;

  private unsubscribe: (() => void) | undefined;

  constructor(private readonly contexts: ContextsService) {}

  onModuleInit(): void {
    this.unsubscribe = this.contexts.onChange((event) => {
      // Every gateway follows the same kubeconfig files, so each tells only its own sockets;
      // a broadcast through the Redis adapter would deliver the change once per gateway.
      this.server?.local.emit('contexts:changed', event);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
