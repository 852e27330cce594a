import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import { SANDBOX_CONTEXT, SandboxService } from '../sandbox/sandbox.service.js';
import { CollabStore } from '../store/store.module.js';

type CheckState = 'up' | 'down';

export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, CheckState>>;
}

/** Minimal response surface, so the controller needs no Express types. */
interface StatusResponse {
  status(code: number): unknown;
}

/** Short, so the probe answers well within a load balancer's timeout even when Redis hangs. */
export const STORE_PING_TIMEOUT_MS = 1_000;

@Controller()
export class HealthController {
  constructor(
    private readonly sandbox: SandboxService,
    private readonly contexts: KubeContextsService,
    private readonly store: CollabStore,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @HttpCode(HttpStatus.OK)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency the gateway was configured with answers (the sandbox, Redis); probed at once, in parallel. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: StatusResponse): Promise<ReadinessReport> {
    const probes: [name: string, up: Promise<boolean>][] = [];
    if (this.sandbox.enabled) probes.push(['sandbox', this.sandboxReachable()]);
    // The in-process store lives in this process; only a shared (Redis) store is a dependency to check.
    if (this.store.shared) probes.push(['store', this.store.ping(STORE_PING_TIMEOUT_MS)]);
    const checks: Record<string, CheckState> = Object.fromEntries(await Promise.all(probes.map(async ([name, up]) => [name, (await up) ? 'up' : 'down'] as const)));
    const ready = Object.values(checks).every((state) => state === 'up');
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ready ? 'ok' : 'unavailable', checks };
  }

  private async sandboxReachable(): Promise<boolean> {
    return this.sandbox.url !== undefined && (await this.contexts.client(SANDBOX_CONTEXT).isReachable());
  }
}
