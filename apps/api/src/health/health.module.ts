import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [KubeModule], controllers: [HealthController] })
export class HealthModule {}
