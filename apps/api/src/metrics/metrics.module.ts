import { Module } from '@nestjs/common';
import { EditsModule } from '../edits/edits.module.js';
import { KubeModule } from '../kube/kube.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus metrics at `GET /metrics`. */
@Module({ imports: [KubeModule, RealtimeModule, EditsModule], controllers: [MetricsController], providers: [MetricsService] })
export class MetricsModule {}
