import { Inject, Injectable, Logger } from '@nestjs/common';
import { failWith, leaseProblem, resourceKey, rooms, type AckFail, type RequestName, type RequestPayload } from '@tandem/sync';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { CollabStore } from '../store/store.module.js';
import type { TandemSocket } from './tandem-socket.js';

/** The rates a request counts against, per user. */
export type RateKind = 'joins' | 'presence' | 'leases' | 'saves' | 'history';

const RATE_OF: Partial<Record<RequestName, RateKind>> = {
  'resource:join': 'joins',
  'list:watch': 'joins',
  'presence:summary': 'joins',
  'presence:update': 'presence',
  'lock:acquire': 'leases',
  'resource:save': 'saves',
};

/** A refusal a client can act on: when to try again (rates), or what to give back first (quotas). */
export function rateLimited(message: string, details: { readonly limit: number; readonly retryAfterMs?: number }): AckFail {
  return failWith('rate-limited', message, details.retryAfterMs === undefined ? { limit: details.limit } : { limit: details.limit, retryAfterMs: details.retryAfterMs });
}

/**
 * Quotas and rate limits (docs/security.md). Rates use rate-limiter-flexible: per user in Redis
 * when the gateway has Redis (so a user's budget is shared by every gateway), with an in-process
 * limiter as insurance while Redis does not answer; in process otherwise. Every socket also has a
 * flood guard over all its requests. Quotas count what one socket holds at once (rooms, and its
 * leases on one resource) and are checked where the socket lives.
 */
@Injectable()
export class RequestLimits {
  private readonly logger = new Logger(RequestLimits.name);
  private readonly perSocket: RateLimiterAbstract;
  private readonly perUser: Readonly<Record<RateKind, { readonly limiter: RateLimiterAbstract; readonly what: string; readonly limit: number }>>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: CollabStore,
  ) {
    const limits = config.limits;
    this.perSocket = new RateLimiterMemory({ keyPrefix: 'requests', points: limits.requestsPerSecond, duration: 1 });
    const redis = store.redisConnection;
    const limiter = (kind: RateKind, points: number, duration: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix: kind, points, duration });
      if (redis === undefined) return memory;
      // Keys share the store's hash tag, so a deployment's limits sit beside its other keys.
      return new RateLimiterRedis({ storeClient: redis, keyPrefix: `{${config.redisPrefix}}:limit:${kind}`, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true });
    };
    this.perUser = {
      joins: { limiter: limiter('joins', limits.joinsPerMinute, 60), what: 'joins and watches per minute', limit: limits.joinsPerMinute },
      presence: { limiter: limiter('presence', limits.presencePerSecond, 1), what: 'presence updates per second', limit: limits.presencePerSecond },
      leases: { limiter: limiter('leases', limits.leasesPerMinute, 60), what: 'lease requests per minute', limit: limits.leasesPerMinute },
      saves: { limiter: limiter('saves', limits.savesPerMinute, 60), what: 'saves per minute', limit: limits.savesPerMinute },
      history: { limiter: limiter('history', limits.historyPerMinute, 60), what: 'history queries per minute', limit: limits.historyPerMinute },
    };
  }

  /**
   * Checks one validated request of `socket`: its connection's flood guard, then its quotas, then its
   * user's rate (a request refused by a quota does not use up the rate). A refusal if over any.
   */
  async request<E extends RequestName>(event: E, payload: RequestPayload<E>, socket: TandemSocket): Promise<AckFail | undefined> {
    const flood = await this.consume(this.perSocket, socket.id);
    if (flood !== undefined) return rateLimited(`${event}: more than ${this.config.limits.requestsPerSecond} requests a second on this connection; try again in ${flood} ms`, { limit: this.config.limits.requestsPerSecond, retryAfterMs: flood });
    const quota = await this.quota(event, payload, socket);
    if (quota !== undefined) return quota;
    const kind = RATE_OF[event];
    return kind === undefined ? undefined : this.rate(kind, socket.data.user, event);
  }

  /** Counts one use of `kind` by `user`; a refusal naming when to try again if over. */
  async rate(kind: RateKind, user: string, what: string = kind): Promise<AckFail | undefined> {
    const rate = this.perUser[kind];
    const wait = await this.consume(rate.limiter, user);
    return wait === undefined ? undefined : rateLimited(`${what}: ${user} is over ${rate.limit} ${rate.what}; try again in ${wait} ms`, { limit: rate.limit, retryAfterMs: wait });
  }

  /** Whether a validated request would take `socket` over one of its quotas. */
  private async quota<E extends RequestName>(event: E, payload: RequestPayload<E>, socket: TandemSocket): Promise<AckFail | undefined> {
    const limits = this.config.limits;
    const held = (prefix: string): number => [...socket.data.subscriptions.keys()].filter((room) => room.startsWith(prefix)).length;
    if (event === 'resource:join') {
      const { ref } = payload as RequestPayload<'resource:join'>;
      if (!socket.data.subscriptions.has(rooms.resource(resourceKey(ref))) && held(rooms.resource('')) >= limits.resourcesPerSocket) {
        return rateLimited(`resource:join: this connection has ${limits.resourcesPerSocket} resources open, the most it may; leave one first`, { limit: limits.resourcesPerSocket });
      }
    }
    if (event === 'list:watch' && held(rooms.list('')) >= limits.listWatchesPerSocket) {
      return rateLimited(`list:watch: this connection watches ${limits.listWatchesPerSocket} lists, the most it may; unwatch one first`, { limit: limits.listWatchesPerSocket });
    }
    if (event === 'list:watch' || event === 'presence:summary') {
      const context = event === 'list:watch' ? (payload as RequestPayload<'list:watch'>).list.context : (payload as RequestPayload<'presence:summary'>).context;
      const contexts = [...socket.rooms].filter((room) => room.startsWith(rooms.context('')));
      if (!socket.rooms.has(rooms.context(context)) && contexts.length >= limits.contextsPerSocket) {
        return rateLimited(`${event}: this connection follows ${limits.contextsPerSocket} contexts, the most it may`, { limit: limits.contextsPerSocket });
      }
    }
    if (event === 'lock:acquire') {
      const { ref, path } = payload as RequestPayload<'lock:acquire'>;
      // Refusals that do not touch the store are the lease service's to give.
      if (leaseProblem(path) !== undefined || !socket.data.subscriptions.has(rooms.resource(resourceKey(ref)))) return undefined;
      const mine = (await this.store.leases.list(ref)).filter((lease) => lease.sessionId === socket.id && lease.path !== path);
      if (mine.length >= limits.leasesPerResource) {
        return rateLimited(`lock:acquire: this session holds ${limits.leasesPerResource} leases on ${ref.name}, the most it may; save or release some first`, { limit: limits.leasesPerResource });
      }
    }
    return undefined;
  }

  /** Milliseconds until `key` may try again, or undefined when the point was granted. Fails open on a limiter fault. */
  private async consume(limiter: RateLimiterAbstract, key: string): Promise<number | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext));
      this.logger.warn(`rate limiter failed, request let through: ${rejection instanceof Error ? rejection.message : String(rejection)}`);
      return undefined;
    }
  }
}
