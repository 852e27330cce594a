import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TandemClient } from '@tandem/sync/client';
import { createApp } from '../app.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';

/** A whole gateway in the test's process: embedded sandbox, in-process store, real HTTP and socket.io on loopback. */
export interface InProcessGateway {
  readonly app: NestExpressApplication;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** The gateway's throwaway directory (removed by `close()`). */
  readonly workDir: string;
  /** Where the gateway wrote the embedded sandbox's kubeconfig. */
  readonly sandboxKubeconfig: string;
  /** A connected TandemClient for `user`, closed by `close()`. */
  connect(user: string): Promise<TandemClient>;
  /** Closes the clients, the app and its work directory. */
  close(): Promise<void>;
}

/** Starts a gateway with a throwaway work directory (sandbox kubeconfig, a stub web app); `env` adds to or overrides its settings. */
export async function startInProcessGateway(env: Record<string, string> = {}): Promise<InProcessGateway> {
  const workDir = await mkdtemp(join(tmpdir(), 'tandem-api-spec-'));
  const clients: TandemClient[] = [];
  try {
    await mkdir(join(workDir, 'web'), { recursive: true });
    await writeFile(join(workDir, 'web', 'index.html'), '<!doctype html><title>Tandem</title><div id="root"></div>');
    const sandboxKubeconfig = join(workDir, 'kube', 'sandbox.kubeconfig');
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      TANDEM_SANDBOX_KUBECONFIG: sandboxKubeconfig,
      TANDEM_WEB_DIST: join(workDir, 'web'),
      KUBECONFIG: join(workDir, 'none'),
      ...env,
    });
    const app = await createApp(config, createLogger('silent'));
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    return {
      app,
      base,
      workDir,
      sandboxKubeconfig,
      async connect(user) {
        const client = new TandemClient({ url: base, user, reconnection: false });
        clients.push(client);
        await client.connected();
        return client;
      },
      async close() {
        for (const client of clients) client.close();
        await app.close();
        await rm(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
