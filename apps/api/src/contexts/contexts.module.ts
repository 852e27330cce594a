import { Module } from '@nestjs/common';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { ContextListController } from './contexts.controller.js';
import { ContextsService } from './contexts.service.js';

/** Contexts: the embedded sandbox and the user's kubeconfig contexts, followed live. */
@Module({
  imports: [SandboxModule],
  controllers: [ContextListController],
  providers: [ContextsService],
  exports: [SandboxModule, ContextsService],
})
export class ContextsModule {}
