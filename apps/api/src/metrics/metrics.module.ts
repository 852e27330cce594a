import { Module } from '@nestjs/common';
import { EditsModule } from '../edits/edits.module.js';
import { KubeModule } from '../kube/kube.module.js';
import { PresenceModule } from '../presence/presence.module.js';
import { SocketModule } from '../socket/socket.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus metrics at `GET /metrics`; the socket gateway reports each answered request to it. */
@Module({ imports: [KubeModule, SocketModule, EditsModule, PresenceModule], controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
