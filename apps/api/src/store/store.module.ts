import { setTimeout as sleep } from 'node:timers/promises';
import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createMemoryStore, createRedisStore, type Store } from '@tandem/store';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import { STORE_COMMAND_TIMEOUT_MS, type AppConfig } from '../config/config.schema.js';
import { connectRedis, describeRedisTarget, reopenWhenEnded } from './redis-connection.js';
import { describeUnconfirmed, withReplicaAcks } from './replica-acks.js';

const QUIT_TIMEOUT_MS = 1_000;

/** ioredis errors that mean Redis did not answer (as opposed to a script or data error). */
const OUTAGE_ERRORS = /^(Command timed out|Connection is closed|Stream isn't writeable|Reached the max retries per request)/;

/**
 * The gateway's presence and lease store: Redis when `REDIS_URL` or `REDIS_SENTINELS` is set (several gateways share it),
 * else the in-process store of a single embedded gateway. Closed when the app shuts down.
 */
@Injectable()
export class CollabStore implements OnApplicationShutdown {
  private readonly logger = new Logger(CollabStore.name);
  readonly store: Store;
  /** True when the store is shared with other gateways through Redis. */
  readonly shared: boolean;
  /** The store's Redis connection, owned here so readiness can ping it. */
  private readonly redis: Redis | undefined;
  private lastError: string | undefined;
  private stopReopening: () => void = () => undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.shared = config.redis !== undefined;
    if (config.redis === undefined) {
      this.store = createMemoryStore({ historyRetention: config.history });
    } else {
      const redis = connectRedis(config.redis, { enableAutoPipelining: true, commandTimeout: STORE_COMMAND_TIMEOUT_MS });
      // Without a listener ioredis prints every reconnect failure; one warning per distinct error is enough.
      redis.on('error', (error: Error) => {
        if (error.message === this.lastError) return;
        this.lastError = error.message;
        this.logger.warn(`Redis connection error: ${error.message}`);
      });
      redis.on('ready', () => {
        if (this.lastError !== undefined) this.logger.log('Redis connection is back');
        this.lastError = undefined;
      });
      this.redis = redis;
      this.stopReopening = reopenWhenEnded(redis, () => this.logger.warn('Redis connection had ended; opening it again'));
      const store = createRedisStore({ redis, prefix: config.redisPrefix, historyRetention: config.history });
      // Behind Sentinel a failover is expected, so lease grants and history entries wait for the replicas.
      this.store =
        config.redis.kind === 'sentinel'
          ? withReplicaAcks(store, redis, (write) => this.logger.warn(describeUnconfirmed(write)), { timeoutMs: config.redisReplicaAckMs })
          : store;
    }
    this.logger.log(
      config.redis === undefined ? 'presence and leases in process (single gateway)' : `presence and leases in ${describeRedisTarget(config.redis)} (prefix "${config.redisPrefix}")`,
    );
  }

  /** The store's Redis connection, shared with the rate limiters (undefined with the in-process store). */
  get redisConnection(): Redis | undefined {
    return this.redis;
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

  /**
   * Whether the store answers within `timeoutMs`: a Redis PING on a ready connection. The in-process
   * store always answers. A connection that is not ready fails at once, so probes queue no commands.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    const redis = this.redis;
    if (redis === undefined) return true;
    if (redis.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([redis.ping().then((reply) => reply === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whether `error`, thrown by a store call, means the store did not answer (Redis down, cut off or
   * too slow) rather than a fault in the request or the data. Never true of the in-process store.
   */
  isOutage(error: unknown): boolean {
    if (this.redis === undefined || !(error instanceof Error)) return false;
    return OUTAGE_ERRORS.test(error.message) || this.redis.status !== 'ready';
  }

  /** After the socket.io server has closed, so the leave and disconnect clean-ups of its sockets still reach the store. */
  async onApplicationShutdown(): Promise<void> {
    this.stopReopening();
    await this.store.close();
    // QUIT lets commands in flight finish, but waits for Redis: a connection that is down, or a Redis that
    // does not answer within QUIT_TIMEOUT_MS, is dropped instead.
    if (this.redis?.status === 'ready') await Promise.race([this.redis.quit().catch(() => undefined), sleep(QUIT_TIMEOUT_MS, undefined, { ref: false })]);
    this.redis?.disconnect();
  }
}

@Global()
@Module({ providers: [CollabStore], exports: [CollabStore] })
export class StoreModule {}
