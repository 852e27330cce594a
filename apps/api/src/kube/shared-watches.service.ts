import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ContextsService } from '../contexts/contexts.service.js';
import { KubeContextsService } from './kube-contexts.service.js';
import { WatchHub } from './watch-hub.js';

/** The gateway's one WatchHub, reading each context's current client and following context removals and changes. */
@Injectable()
export class SharedWatches extends WatchHub implements OnModuleDestroy {
  private readonly unsubscribe: () => void;

  constructor(clients: KubeContextsService, contexts: ContextsService) {
    const logger = new Logger(SharedWatches.name);
    super((context) => clients.client(context), {
      onListenerError: (error) => logger.error(`a watch change listener failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    });
    this.unsubscribe = contexts.onChange((event) => {
      for (const name of event.removed) this.closeContext(name);
      for (const name of event.changed) this.restartContext(name);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
    this.close();
  }
}
