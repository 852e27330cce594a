/**
 * @tandem/kube-sandbox: a Kubernetes-API-compatible HTTP server, embedded in the gateway
 * and in tests, so that real clients (kubectl, client-node) meet real API semantics.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { TypedEmitter } from '@tandem/sync';
import { startChurn } from './server/churn.js';
import { createRequestHandler, type SandboxLifecycle } from './server/http.js';
import { renderKubeconfig, type KubeconfigOptions } from './server/kubeconfig.js';
import { seedDemoData } from './server/seed.js';
import { RESOURCE_TYPES } from './server/resources.js';
import { Store } from './server/store.js';

export { flappingStatus } from './server/churn.js';
export type { KubeconfigOptions } from './server/kubeconfig.js';

export interface SandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default true: demo data. */
  seed?: boolean;
  /** Simulated controller: update the status of the demo Deployments every churnMs (0/undefined = off). */
  churnMs?: number;
  /** Watch events kept for resuming watches (default 1000); older -> 410 Expired. */
  historyLimit?: number;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** YAML; context default 'tandem-sandbox', cluster insecure-skip-tls-verify: true, a user with a token. */
  kubeconfig(options?: KubeconfigOptions): string;
  writeKubeconfig(path: string, options?: KubeconfigOptions): Promise<void>;
  /** Forget watch history now, so resuming from any older version gets 410 Expired. */
  trimHistory(): void;
  /** Closes watches and the listener; nothing is left listening. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store(options.historyLimit ?? 1000);
  if (options.seed ?? true) seedDemoData(store);
  const lifecycle = new TypedEmitter<SandboxLifecycle>();
  let address = '';
  const server = createServer(createRequestHandler({ store, lifecycle, serverAddress: () => address }));
  // Watches are long-lived; the default request timeouts would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  const bound = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  address = `${urlHost}:${bound.port}`;
  const url = `http://${address}`;
  const stopChurn = options.churnMs ? startChurn(store, options.churnMs) : () => undefined;
  let closing: Promise<void> | undefined;

  return {
    url,
    port: bound.port,
    kubeconfig: (kubeconfigOptions) => renderKubeconfig(url, kubeconfigOptions),
    async writeKubeconfig(path, kubeconfigOptions) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, renderKubeconfig(url, kubeconfigOptions), { mode: 0o600 });
    },
    trimHistory: () => store.trimHistory(),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        stopChurn();
        lifecycle.emit('close');
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The demo data as plain objects in the order they were created (owners before what they own),
 * status included: what another cluster needs to show the same demo (see @tandem/kube-env).
 */
export function demoObjects(): Record<string, unknown>[] {
  const store = new Store();
  seedDemoData(store);
  const version = (object: Record<string, unknown>): number => Number((object['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion ?? 0);
  return RESOURCE_TYPES.flatMap((type) => store.list(type)).sort((a, b) => version(a) - version(b));
}
