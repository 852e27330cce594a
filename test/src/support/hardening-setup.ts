import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import type { ResourceRef } from '@tandem/sync';
import { Redis } from 'ioredis';
import { startGateway, type RunningGateway } from './gateway.js';

export const HARDENING_CONTEXT = 'lab';
export const hardeningWebRef: ResourceRef = { context: HARDENING_CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

/**
 * One built gateway with Redis (its own key prefix) in front of a standalone sandbox, for the
 * hardening scenarios (fuzzing, limits, secrets): the same shape the collaboration tests use.
 */
export class HardeningSetup {
  private constructor(
    readonly home: string,
    readonly sandbox: Sandbox,
    readonly kubeconfig: string,
    readonly prefix: string,
    readonly redis: Redis,
    readonly gateway: RunningGateway,
  ) {}

  static async start(env: Readonly<Record<string, string>> = {}): Promise<HardeningSetup> {
    const home = await mkdtemp(join(tmpdir(), 'tandem-hardening-'));
    const sandbox = await startSandbox();
    const kubeconfig = join(home, 'lab.kubeconfig');
    await sandbox.writeKubeconfig(kubeconfig, { context: HARDENING_CONTEXT, namespace: 'shop' });
    const prefix = `tandem-hardening-${randomUUID().slice(0, 8)}`;
    const gateway = await startGateway({ env: { KUBECONFIG: kubeconfig, TANDEM_SANDBOX: 'off', REDIS_URL: 'redis://127.0.0.1:6379', TANDEM_REDIS_PREFIX: prefix, ...env } });
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return new HardeningSetup(home, sandbox, kubeconfig, prefix, redis, gateway);
  }

  /**
   * Every key of this gateway's prefix with a summary of its contents (scores of expiry indexes left
   * out: they move with every heartbeat; rate limiter counters left out: every request moves them).
   */
  async storeSnapshot(): Promise<Record<string, string>> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `{${this.prefix}}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const snapshot: Record<string, string> = {};
    for (const key of keys.sort()) {
      if (key.startsWith(`{${this.prefix}}:limit:`)) continue;
      const type = await this.redis.type(key);
      if (type === 'string') snapshot[key] = `string:${await this.redis.get(key)}`;
      else if (type === 'hash') snapshot[key] = `hash:${JSON.stringify(Object.entries(await this.redis.hgetall(key)).sort())}`;
      else if (type === 'zset') snapshot[key] = `zset:${JSON.stringify(await this.redis.zrange(key, '0', '-1'))}`;
      else if (type === 'set') snapshot[key] = `set:${JSON.stringify((await this.redis.smembers(key)).sort())}`;
      else if (type === 'stream') snapshot[key] = `stream:${await this.redis.xlen(key)}`;
      else if (type === 'list') snapshot[key] = `list:${JSON.stringify(await this.redis.lrange(key, 0, -1))}`;
      else snapshot[key] = type;
    }
    return snapshot;
  }

  /** Every value stored under this gateway's prefix, as text (for "this secret appears nowhere"). */
  async storeText(): Promise<string> {
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `{${this.prefix}}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) {
        const type = await this.redis.type(key);
        parts.push(key);
        if (type === 'string') parts.push((await this.redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await this.redis.hgetall(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await this.redis.zrange(key, '0', '-1', 'WITHSCORES')));
        else if (type === 'set') parts.push(JSON.stringify(await this.redis.smembers(key)));
        else if (type === 'stream') for (const [id, fields] of await this.redis.xrange(key, '-', '+')) parts.push(id, ...fields);
        else if (type === 'list') parts.push(JSON.stringify(await this.redis.lrange(key, 0, -1)));
      }
    } while (cursor !== '0');
    return parts.join('\n');
  }

  async healthz(): Promise<number> {
    return (await fetch(`${this.gateway.url}/healthz`)).status;
  }

  async close(): Promise<void> {
    await this.gateway.stop();
    await this.sandbox.close();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `{${this.prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length > 0) await this.redis.del(...batch);
    } while (cursor !== '0');
    this.redis.disconnect();
    await rm(this.home, { recursive: true, force: true });
  }
}
