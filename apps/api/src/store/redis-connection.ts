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
