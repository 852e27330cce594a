import { Module } from '@nestjs/common';
import { SandboxService } from '../kube/sandbox.service.js';
import { ContextListController } from './contexts.controller.js';
import { ContextsGateway } from './contexts.gateway.js';
import { ContextsService } from './contexts.service.js';

/**
 * Contexts: the embedded sandbox and the user's kubeconfig contexts, followed live. The sandbox lives
 * here because its context is the first of the list; KubeModule re-exports both.
 */
@Module({
  controllers: [ContextListController],
  providers: [SandboxService, ContextsService, ContextsGateway],
  exports: [SandboxService, ContextsService],
})
export class ContextsModule {}
