import { Module } from '@nestjs/common';
import { ContextsController } from './contexts.controller.js';
import { KubeContextsService } from './kube-contexts.service.js';
import { SandboxService } from './sandbox.service.js';

@Module({
  controllers: [ContextsController],
  providers: [SandboxService, KubeContextsService],
  exports: [SandboxService, KubeContextsService],
})
export class KubeModule {}
