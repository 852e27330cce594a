import { createServer, type AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { ContextsService } from '../contexts/contexts.service.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { CollabStore } from '../store/store.module.js';
import { HealthController, type ReadinessReport } from './health.controller.js';

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The readiness probe of a gateway without the sandbox, built from the real services (the full app is
 * covered over HTTP by test/src/observability.spec.ts), so the store is its only dependency.
 */
describe(HealthController.name, () => {
  let store: CollabStore | undefined;

  beforeAll(() => {
    // The store logs its backend and Redis errors through Nest's default logger; the assertions say enough.
    Logger.overrideLogger(false);
  });

  /** Builds the probe's services for `env`; the returned function asks for readiness as `GET /readyz` does. */
  const readiness = (env: Record<string, string>): (() => Promise<{ status: number; report: ReadinessReport }>) => {
    const config = loadConfig({ TANDEM_SANDBOX: 'off', KUBECONFIG: '/nonexistent/kubeconfig', ...env });
    const sandbox = new SandboxService(config);
    store = new CollabStore(config);
    const controller = new HealthController(sandbox, new KubeContextsService(new ContextsService(config, sandbox)), store);
    return async () => {
      let status = 0;
      const report = await controller.ready({ status: (code: number) => (status = code) });
      return { status, report };
    };
  };

  afterEach(async () => {
    await store?.onApplicationShutdown();
    store = undefined;
  });

  it('has nothing to check with the in-process store', async () => {
    expect(await readiness({})()).toEqual({ status: 200, report: { status: 'ok', checks: {} } });
  });

  it('checks the store when Redis is configured and answers', async () => {
    const ready = readiness({ REDIS_URL: 'redis://127.0.0.1:6379' });
    // The connection opens in the background; until it is ready the store counts as down.
    await expect.poll(ready, { timeout: 15_000, interval: 50 }).toEqual({ status: 200, report: { status: 'ok', checks: { store: 'up' } } });
  });

  it('is not ready, naming the store, when Redis does not answer', async () => {
    const ready = readiness({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    expect(await ready()).toEqual({ status: 503, report: { status: 'unavailable', checks: { store: 'down' } } });
  });
});
