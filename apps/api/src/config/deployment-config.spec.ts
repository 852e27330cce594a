import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig } from './load-config.js';

describe('loadConfig: in-cluster mode and Redis Sentinel', () => {
  it('defaults to auto in-cluster mode with the Pod\'s ServiceAccount directory', () => {
    const config = loadConfig({});
    expect(config.inCluster).toEqual({ mode: 'auto', serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount', serviceHost: undefined, servicePort: undefined });
  });

  it('refuses TANDEM_IN_CLUSTER=on outside a Pod, naming the missing variables', () => {
    expect(() => loadConfig({ TANDEM_IN_CLUSTER: 'on' })).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/);
    expect(() => loadConfig({ TANDEM_IN_CLUSTER: 'sometimes' })).toThrow(InvalidConfigError);
    expect(loadConfig({ TANDEM_IN_CLUSTER: 'on', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }).inCluster.mode).toBe('on');
  });

  it('reads REDIS_URL alone as one Redis, and REDIS_SENTINELS as a Sentinel set that names the primary', () => {
    expect(loadConfig({ REDIS_URL: 'redis://r:6379' }).redis).toEqual({ kind: 'url', url: 'redis://r:6379' });
    expect(loadConfig({ REDIS_SENTINELS: 's0:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'tandem', REDIS_URL: 'redis://:pw@ignored:6379' }).redis).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's0', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      master: 'tandem',
      url: 'redis://:pw@ignored:6379',
      sentinelPassword: undefined,
    });
    expect(loadConfig({}).redis).toBeUndefined();
  });

  it('refuses a Sentinel address without a port', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 'sentinel-0' })).toThrow(/REDIS_SENTINELS.*host:port/);
  });

  it('waits 500 ms for replica confirmations unless told otherwise, and refuses a wait the store command would outlast', () => {
    expect(loadConfig({}).redisReplicaAckMs).toBe(500);
    expect(loadConfig({ TANDEM_REDIS_REPLICA_ACK_MS: '1500' }).redisReplicaAckMs).toBe(1500);
    expect(() => loadConfig({ TANDEM_REDIS_REPLICA_ACK_MS: '5000' })).toThrow(/TANDEM_REDIS_REPLICA_ACK_MS.*at most 1500/);
    expect(() => loadConfig({ TANDEM_REDIS_REPLICA_ACK_MS: '0' })).toThrow(/TANDEM_REDIS_REPLICA_ACK_MS.*at least 100/);
  });
});
