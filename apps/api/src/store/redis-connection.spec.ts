import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { reopenWhenEnded } from './redis-connection.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe(reopenWhenEnded.name, () => {
  const opened: Redis[] = [];
  afterEach(() => {
    for (const redis of opened.splice(0)) redis.disconnect();
  });

  it('opens an ended connection again, so commands work after ioredis gave up on it', async () => {
    const redis = new Redis(REDIS_URL);
    opened.push(redis);
    const reopened: string[] = [];
    const stop = reopenWhenEnded(redis, () => reopened.push('again'));
    expect(await redis.ping()).toBe('PONG');
    // However it ended (here by hand, behind Sentinel by a failed reconnect), the client stops retrying.
    const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
    redis.disconnect();
    await ended;
    await expect.poll(() => redis.status, { timeout: 15_000 }).toBe('ready');
    expect(await redis.ping()).toBe('PONG');
    expect(reopened).toEqual(['again']);
    stop();
  });

  it('leaves a connection ended once stopped, as before a deliberate quit', async () => {
    const redis = new Redis(REDIS_URL);
    opened.push(redis);
    const stop = reopenWhenEnded(redis);
    expect(await redis.ping()).toBe('PONG');
    stop();
    const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
    await redis.quit();
    await ended;
    // A later command fails rather than reopening the connection behind the caller's back.
    await expect(redis.ping()).rejects.toThrow('Connection is closed.');
    expect(redis.status).toBe('end');
  });
});
