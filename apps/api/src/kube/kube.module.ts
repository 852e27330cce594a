import { Module } from '@nestjs/common';
import { ContextsModule } from '../contexts/contexts.module.js';
import { KubeContextsService } from './kube-contexts.service.js';
import { ResourcesController } from './resources.controller.js';
import { SharedWatches } from './shared-watches.service.js';

@Module({
  imports: [ContextsModule],
  controllers: [ResourcesController],
  providers: [KubeContextsService, SharedWatches],
  exports: [ContextsModule, KubeContextsService, SharedWatches],
})
export class KubeModule {}
