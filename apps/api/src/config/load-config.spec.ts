import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig } from './load-config.js';

describe(loadConfig.name, () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '0.0.0.0', port: 4280 });
    expect(config.sandbox).toEqual({ enabled: true, port: 0, kubeconfigPath: join(tmpdir(), 'tandem', 'sandbox.kubeconfig') });
    expect(config.redisUrl).toBeUndefined();
    expect(config.kubeconfig).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.webDist).toMatch(/apps[/\\]web[/\\]dist$/);
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      TANDEM_SANDBOX: 'off',
      TANDEM_SANDBOX_PORT: '6443',
      TANDEM_SANDBOX_KUBECONFIG: '/tmp/x/sandbox.yaml',
      KUBECONFIG: '/home/me/.kube/config:/home/me/.kube/other',
      REDIS_URL: 'redis://redis:6379',
      LOG_LEVEL: 'debug',
      TANDEM_WEB_DIST: '/srv/web',
    });
    expect(config).toEqual({
      http: { host: '127.0.0.1', port: 8080 },
      sandbox: { enabled: false, port: 6443, kubeconfigPath: '/tmp/x/sandbox.yaml' },
      kubeconfig: '/home/me/.kube/config:/home/me/.kube/other',
      redisUrl: 'redis://redis:6379',
      logLevel: 'debug',
      webDist: '/srv/web',
    });
  });

  it('treats an empty REDIS_URL as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'http', /PORT="http": must be a whole number/],
    ['PORT', '70000', /PORT="70000": must be at most 65535/],
    ['TANDEM_SANDBOX', 'yes', /TANDEM_SANDBOX="yes": must be "on" or "off"/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL="localhost:6379": must be a redis:\/\/ or rediss:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud": must be one of fatal, error/],
  ])('rejects %s=%s with a message naming the variable', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(InvalidConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });
});
