import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ContextsService } from '../contexts/contexts.service.js';
import { KubeClient } from './kube-client.js';

/**
 * A KubeClient per context, cached, and rebuilt when the context's server, credentials or namespace
 * change (or dropped when it is removed), as ContextsService announces.
 */
@Injectable()
export class KubeContextsService implements OnModuleDestroy {
  private readonly clients = new Map<string, KubeClient>();
  private readonly unsubscribe: () => void;

  constructor(private readonly contexts: ContextsService) {
    this.unsubscribe = contexts.onChange((event) => {
      for (const name of [...event.removed, ...event.changed]) this.clients.delete(name);
    });
  }

  /** The client for one context; an unknown name is a 404 that lists the known ones. */
  client(contextName: string): KubeClient {
    const cached = this.clients.get(contextName);
    if (cached !== undefined) return cached;
    const client = new KubeClient(contextName, this.contexts.kubeConfig(contextName));
    this.clients.set(contextName, client);
    return client;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
