import { Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../config/config.schema.js';

/**
 * Opens a connection to the shared store's Redis: the URL's server, or whichever server the Sentinels
 * name as primary of `master`. Behind Sentinel, ioredis asks the Sentinels again on every reconnect, so
 * after a failover the connection lands on the promoted replica; `role: 'master'` makes it refuse a
 * demoted node (which would answer writes with READONLY), and `failoverDetector` reconnects as soon as
 * the Sentinels announce a new primary rather than when the old one stops answering.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (target.kind === 'url') return new Redis(target.url, options);
  const fromUrl = target.url === undefined ? {} : credentialsOf(target.url);
  return new Redis({
    ...fromUrl,
    ...options,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.master,
    role: 'master',
    failoverDetector: true,
    ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
    // A Sentinel that is down is skipped; the next one in the list is asked.
    sentinelRetryStrategy: (attempts: number) => Math.min(attempts * 100, 1_000),
  });
}

/** How long an ended connection waits before it is opened again. */
const REOPEN_DELAY_MS = 500;

/**
 * Opens `redis` again whenever it ends, until the returned `stop` is called (before a deliberate
 * QUIT or disconnect). ioredis retries a dropped connection by itself, but behind Sentinel it can end
 * one for good: when its failover detector drops the connection while it is still asking the
 * Sentinels for the new primary, the connect fails, the client gives up, and every later command
 * answers "Connection is closed." `onReopen` is told of each attempt (for the log).
 */
export function reopenWhenEnded(redis: Redis, onReopen: () => void = () => undefined): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const ended = (): void => {
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped || redis.status !== 'end') return;
      onReopen();
      // A failed attempt ends the connection again, which schedules the next one.
      redis.connect().catch(() => undefined);
    }, REOPEN_DELAY_MS);
  };
  redis.on('end', ended);
  return () => {
    stopped = true;
    clearTimeout(timer);
    redis.off('end', ended);
  };
}

/** What of a `redis://` / `rediss://` URL still applies when Sentinel picks the host: user, password, db, TLS. */
function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
}

/** Says where the store is, without credentials, for the boot log. */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'url') {
    const parsed = new URL(target.url);
    return `Redis at ${parsed.host}`;
  }
  return `Redis primary "${target.master}" from Sentinels ${target.sentinels.map(({ host, port }) => `${host}:${port}`).join(', ')}`;
}
