import { Module, type DynamicModule } from '@nestjs/common';
import { AdmissionModule } from './admission/admission.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { HealthModule } from './health/health.module.js';
import { HistoryModule } from './history/history.module.js';
import { KubeModule } from './kube/kube.module.js';
import { EditsModule } from './edits/edits.module.js';
import { LocksModule } from './locks/locks.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { ResourcesModule } from './resources/resources.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { StoreModule } from './store/store.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: AppModule, imports: [ConfigModule.forRoot(config), KubeModule, AuthModule, ResourcesModule, HealthModule, RealtimeModule, StoreModule, PresenceModule, LocksModule, EditsModule, HistoryModule, MetricsModule, AdmissionModule] };
  }
}
