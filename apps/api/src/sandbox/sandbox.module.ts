import { Module } from '@nestjs/common';
import { SandboxService } from './sandbox.service.js';

/** The embedded sandbox cluster: started with the gateway when enabled, the first context of the list. */
@Module({
  providers: [SandboxService],
  exports: [SandboxService],
})
export class SandboxModule {}
