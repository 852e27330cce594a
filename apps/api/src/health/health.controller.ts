import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import { SANDBOX_CONTEXT, SandboxService } from '../kube/sandbox.service.js';

type CheckState = 'up' | 'down';

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckState>>;
}

/** Minimal response surface, so the controller needs no Express types. */
interface StatusResponse {
  status(code: number): unknown;
}

@Controller()
export class HealthController {
  constructor(
    private readonly sandbox: SandboxService,
    private readonly contexts: KubeContextsService,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @HttpCode(HttpStatus.OK)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency the gateway was configured with answers. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: StatusResponse): Promise<ReadinessReport> {
    const checks: Record<string, CheckState> = {};
    if (this.sandbox.enabled) {
      const reachable = this.sandbox.url !== undefined && (await this.contexts.client(SANDBOX_CONTEXT).isReachable());
      checks['sandbox'] = reachable ? 'up' : 'down';
    }
    const ready = Object.values(checks).every((state) => state === 'up');
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'unavailable', checks };
  }
}
