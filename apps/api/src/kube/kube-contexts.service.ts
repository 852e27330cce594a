import { Injectable } from '@nestjs/common';
import { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube.errors.js';
import type { ContextSummary } from './kube.schemas.js';
import { SANDBOX_CONTEXT, SandboxService } from './sandbox.service.js';

/**
 * The clusters the gateway can reach, by context name. For now only the embedded sandbox; the
 * user's kubeconfig contexts join here once the kubeconfig watcher exists.
 */
@Injectable()
export class KubeContextsService {
  private sandboxClient: KubeClient | undefined;

  constructor(private readonly sandbox: SandboxService) {}

  async list(): Promise<ContextSummary[]> {
    const clients = this.clients();
    return Promise.all(
      clients.map(async (client) => ({
        name: client.contextName,
        server: client.server,
        namespace: client.namespace,
        source: 'sandbox' as const,
        status: (await client.isReachable()) ? ('connected' as const) : ('unreachable' as const),
      })),
    );
  }

  /** The client for one context; an unknown name is a 404 that lists the known ones. */
  client(contextName: string): KubeClient {
    const clients = this.clients();
    const client = clients.find((candidate) => candidate.contextName === contextName);
    if (client === undefined) throw KubeApiError.contextNotFound(contextName, clients.map((known) => known.contextName));
    return client;
  }

  private clients(): KubeClient[] {
    if (this.sandbox.url === undefined) return [];
    // Read lazily: the file exists only once the sandbox module has started.
    this.sandboxClient ??= KubeClient.fromFile(this.sandbox.kubeconfigPath, SANDBOX_CONTEXT);
    return [this.sandboxClient];
  }
}
