import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseBook, resourceKey, type RequestResults, type ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { ClientPool } from './clients.js';
import { startCluster, type HttpMethod, type TargetName, type TestCluster } from './cluster.js';
import { startGateway, workspaceRoot, type RunningGateway } from './gateway.js';
import { startStatusChurn, type StatusChurn } from './status-churn.js';

export const CONTEXT = 'lab';
export const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
export const configMapRef = (name: string): ResourceRef => ({ context: CONTEXT, group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name });

/** Short TTLs so lapsed leases and sessions show within a test; the defaults are 15 s and 25 s. */
export const SHORT_TIMINGS = {
  TANDEM_LEASE_TTL_MS: '1500',
  TANDEM_PRESENCE_TTL_MS: '2000',
  TANDEM_PRESENCE_HEARTBEAT_MS: '500',
  TANDEM_COLLAB_SWEEP_MS: '200',
} as const;

export type Json = Record<string, unknown>;

/**
 * Several built gateways sharing one cluster (the sandbox or a real kube-apiserver, through
 * KUBECONFIG) and one Redis key prefix; optionally a test controller that keeps writing the demo
 * Deployments' status through the status subresource, as real controllers do.
 */
export class CollabCluster {
  readonly gateways: RunningGateway[] = [];
  readonly clients = new ClientPool();
  readonly prefix = `tandem-test-${randomUUID().slice(0, 8)}`;

  private constructor(
    readonly home: string,
    readonly cluster: TestCluster,
    readonly kubeconfig: string,
    private readonly churn: StatusChurn | undefined,
  ) {}

  static async start(target: TargetName, options: { churnMs?: number } = {}): Promise<CollabCluster> {
    const home = await mkdtemp(join(tmpdir(), 'tandem-collab-'));
    const cluster = await startCluster(target);
    const kubeconfig = join(home, 'lab.kubeconfig');
    await cluster.writeKubeconfig(kubeconfig, { context: CONTEXT, namespace: 'shop' });
    const churn = options.churnMs !== undefined ? startStatusChurn(cluster, options.churnMs) : undefined;
    return new CollabCluster(home, cluster, kubeconfig, churn);
  }

  get target(): TargetName {
    return this.cluster.target;
  }

  /** Status writes the test controller has made so far (0 without churn). */
  get statusWrites(): number {
    return this.churn?.writes ?? 0;
  }

  async startGateway(): Promise<RunningGateway> {
    const gateway = await startGateway({
      env: { KUBECONFIG: this.kubeconfig, TANDEM_SANDBOX: 'off', REDIS_URL: 'redis://127.0.0.1:6379', TANDEM_REDIS_PREFIX: this.prefix, ...SHORT_TIMINGS },
    });
    this.gateways.push(gateway);
    return gateway;
  }

  connect(gateway: RunningGateway, user: string): Promise<TandemClient> {
    return this.clients.connect(gateway.url, user);
  }

  api(method: HttpMethod, path: string, body?: unknown, contentType = 'application/json'): Promise<Json> {
    return this.cluster.api(method, path, body, contentType);
  }

  async close(): Promise<void> {
    this.clients.closeAll();
    await this.churn?.stop();
    await Promise.all(this.gateways.map((gateway) => gateway.stop()));
    await this.cluster.close();
    await rm(this.home, { recursive: true, force: true });
  }
}

export const metadataOf = (object: Json): Json => object['metadata'] as Json;

/** The workspace root (for spawning scripts that import built packages). */
export const workspaceRootOf = (): string => workspaceRoot;

/**
 * Joins a resource and follows its leases as the web app does: the join ack's snapshot kept up to
 * date by `lock:changed` deltas. `onChange` runs after every delta, with the book as it is then.
 */
export async function joinFollowingLeases(client: TandemClient, ref: ResourceRef, onChange?: (book: LeaseBook) => void): Promise<{ book: LeaseBook; joined: RequestResults['resource:join'] }> {
  const book = new LeaseBook();
  const key = resourceKey(ref);
  client.on('lock:changed', (event) => {
    if (resourceKey(event.ref) !== key) return;
    book.apply(event);
    onChange?.(book);
  });
  const joined = await client.request('resource:join', { ref });
  book.snapshot(joined.leases);
  return { book, joined };
}
