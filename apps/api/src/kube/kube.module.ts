import { Module } from '@nestjs/common';
import { ContextsModule } from '../contexts/contexts.module.js';
import { KubeContextsService } from './kube-contexts.service.js';
import { SharedWatches } from './shared-watches.service.js';

/** Cluster access: a client per context (acting as a user on request) and the shared watches. */
@Module({
  imports: [ContextsModule],
  providers: [KubeContextsService, SharedWatches],
  exports: [ContextsModule, KubeContextsService, SharedWatches],
})
export class KubeModule {}
