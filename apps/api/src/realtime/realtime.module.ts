import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RequestHandlers } from './request-handlers.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import { RoomBroadcaster } from './room-broadcaster.js';
import { SaveAuthors } from './save-authors.js';
import { SessionHooks } from './session-hooks.js';

@Module({
  imports: [KubeModule],
  providers: [RequestHandlers, ResourceSubscriptions, SessionHooks, SaveAuthors, RoomBroadcaster, RealtimeGateway],
  exports: [RequestHandlers, SessionHooks, SaveAuthors, RoomBroadcaster],
})
export class RealtimeModule {}
