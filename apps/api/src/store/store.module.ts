import { Global, Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { createMemoryStore, createRedisStore, type Store } from '@tandem/store';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/**
 * The gateway's presence and lease store: Redis when `REDIS_URL` is set (several gateways share it),
 * else the in-process store of a single embedded gateway. Closed when the app shuts down.
 */
@Injectable()
export class CollabStore implements OnModuleDestroy {
  private readonly logger = new Logger(CollabStore.name);
  readonly store: Store;
  /** True when the store is shared with other gateways through Redis. */
  readonly shared: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.shared = config.redisUrl !== undefined;
    this.store =
      config.redisUrl === undefined
        ? createMemoryStore({ historyRetention: config.history })
        : createRedisStore({ url: config.redisUrl, prefix: config.redisPrefix, historyRetention: config.history });
    this.logger.log(this.shared ? `presence and leases in Redis (prefix "${config.redisPrefix}")` : 'presence and leases in process (single gateway)');
  }

  get leases(): Store['leases'] {
    return this.store.leases;
  }

  get presence(): Store['presence'] {
    return this.store.presence;
  }

  get history(): Store['history'] {
    return this.store.history;
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({ providers: [CollabStore], exports: [CollabStore] })
export class StoreModule {}
