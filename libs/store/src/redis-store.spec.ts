import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resourceKey, type ResourceRef } from '@tandem/sync';
import { createRedisStore, StoreDataError } from './redis-store.js';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const web: ResourceRef = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

describe('createRedisStore', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = new Redis(url);
    prefix = `tandem-test-${randomUUID()}`;
  });
  afterEach(async () => {
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('refuses a prefix that would break the hash tag', () => {
    expect(() => createRedisStore({ redis, prefix: 'a{b}' })).toThrow(/free of '\{' and '\}'/);
    expect(() => createRedisStore({ redis, prefix: '' })).toThrow(/non-empty/);
  });

  it('leaves a connection it was given open on close', async () => {
    const store = createRedisStore({ redis, prefix });
    await store.close();
    expect(await redis.ping()).toBe('PONG');
  });

  it('keeps every key under the hash tag of its prefix and leaves only the token counter once leases and presence are gone', async () => {
    const store = createRedisStore({ redis, prefix });
    const grant = await store.leases.acquire({ ref: web, path: 'spec.replicas', owner: 'alice', sessionId: 's1', ttlMs: 15_000 });
    await store.presence.upsert(web, { sessionId: 's1', user: 'alice', color: '#e91e63', idle: false, updatedAt: 0 }, 15_000);
    const keys = await redis.keys(`*${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`{${prefix}}:`))).toBe(true);
    expect(await redis.pttl(`{${prefix}}:lease:${resourceKey(web)}`)).toBeGreaterThan(0);

    expect(grant.granted).toBe(true);
    await store.leases.releaseSession('s1');
    await store.presence.removeSession('s1');
    expect(await redis.keys(`{${prefix}}:*`)).toEqual([`{${prefix}}:lease-token`]);
  });

  it('lets every key of a resource\'s leases expire with its last lease, without another call', async () => {
    const store = createRedisStore({ redis, prefix });
    const first = await store.leases.acquire({ ref: web, path: 'spec.replicas', owner: 'alice', sessionId: 's1', ttlMs: 200 });
    const last = await store.leases.acquire({ ref: web, path: 'spec.paused', owner: 'bob', sessionId: 's2', ttlMs: 400 });
    if (!first.granted || !last.granted) throw new Error('both leases must be granted');
    const leaseKeys = (await redis.keys(`{${prefix}}:lease*`)).filter((key) => key.endsWith(resourceKey(web)));
    expect(leaseKeys.length).toBeGreaterThan(1);
    const expiries = await Promise.all(leaseKeys.map((key) => redis.pexpiretime(key)));
    expect(new Set(expiries).size).toBe(1);
    expect(expiries[0]).toBe(Math.max(first.lease.expiresAt, last.lease.expiresAt));
    // Redis drops the keys by its own clock (PEXPIREAT), so the test waits until they are gone rather than for a fixed time.
    await expect.poll(() => redis.keys(`{${prefix}}:*`), { timeout: 10_000, interval: 20 }).toEqual([`{${prefix}}:lease-token`]);
  });

  it('reports foreign data under its keys as a StoreDataError naming the resource', async () => {
    const store = createRedisStore({ redis, prefix });
    await redis.hset(`{${prefix}}:lease:${resourceKey(web)}`, 'spec.replicas', JSON.stringify({ owner: 'alice', expiresAt: 9_999_999_999_999 }));
    const listing = store.leases.list(web);
    await expect(listing).rejects.toBeInstanceOf(StoreDataError);
    await expect(listing).rejects.toThrow(/Lease spec\.replicas of sandbox\/apps\/v1\/deployments\/shop\/web/);
  });
});
