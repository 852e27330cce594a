import { Module } from '@nestjs/common';
import { EditsModule } from '../edits/edits.module.js';
import { HistoryModule } from '../history/history.module.js';
import { KubeModule } from '../kube/kube.module.js';
import { LocksModule } from '../locks/locks.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { SocketModule } from '../socket/socket.module.js';
import { EditingSessions } from './editing-sessions.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RequestDispatcher } from './request-dispatcher.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';

/** The socket gateway, above every capability it calls: requests, subscriptions and editing sessions. */
@Module({
  imports: [KubeModule, SocketModule, PresenceModule, LocksModule, EditsModule, HistoryModule, MetricsModule],
  providers: [EditingSessions, ResourceSubscriptions, RequestDispatcher, RealtimeGateway],
})
export class RealtimeModule {}
