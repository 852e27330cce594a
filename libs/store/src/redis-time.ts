import type { Redis } from 'ioredis';

/** The Redis server's clock in epoch milliseconds: the time every lease and presence script reads. */
export async function redisServerTime(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}
