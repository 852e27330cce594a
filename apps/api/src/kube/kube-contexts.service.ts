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

  /** The first context listed (the sandbox when it is on), for settings that need one cluster. */
  defaultContext(): string | undefined {
    return this.contexts.list()[0]?.name;
  }

  /** Every context's name, in list order. */
  contextNames(): string[] {
    return this.contexts.list().map((context) => context.name);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}
