import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { GatewayPeers } from './gateway-peers.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RequestHandlers } from './request-handlers.js';
import { RequestLimits } from './request-limits.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import { RoomBroadcaster } from './room-broadcaster.js';
import { SaveAuthors } from './save-authors.js';
import { SessionHooks } from './session-hooks.js';

@Module({
  imports: [KubeModule],
  providers: [GatewayPeers, RequestHandlers, RequestLimits, ResourceSubscriptions, SessionHooks, SaveAuthors, RoomBroadcaster, RealtimeGateway],
  exports: [GatewayPeers, RequestHandlers, RequestLimits, SessionHooks, SaveAuthors, RoomBroadcaster],
})
export class RealtimeModule {}
