import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/** Name of the sandbox's context in the kubeconfig it writes and in the contexts API. */
export const SANDBOX_CONTEXT = 'tandem-sandbox';

/** Runs the embedded sandbox cluster for the gateway's lifetime and writes a kubeconfig for it. */
@Injectable()
export class SandboxService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SandboxService.name);
  private sandbox: Sandbox | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.sandbox.enabled;
  }

  /** Path of the kubeconfig that points kubectl (and the gateway) at the sandbox. */
  get kubeconfigPath(): string {
    return this.config.sandbox.kubeconfigPath;
  }

  /** The running sandbox's URL, or undefined when it is off or not started yet. */
  get url(): string | undefined {
    return this.sandbox?.url;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    // Loopback only: the sandbox has no authentication, so it must not be reachable from the network.
    this.sandbox = await startSandbox({ host: '127.0.0.1', port: this.config.sandbox.port, seed: true });
    await mkdir(dirname(this.kubeconfigPath), { recursive: true, mode: 0o700 });
    await this.sandbox.writeKubeconfig(this.kubeconfigPath, { context: SANDBOX_CONTEXT, namespace: 'shop' });
    this.logger.log(`Sandbox cluster listening at ${this.sandbox.url}; kubeconfig written to ${this.kubeconfigPath}`);
  }

  async onModuleDestroy(): Promise<void> {
    const sandbox = this.sandbox;
    this.sandbox = undefined;
    await sandbox?.close();
  }
}
