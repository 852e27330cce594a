/**
 * A test controller: it writes the status of the demo Deployments in `shop` through the status
 * subresource every `intervalMs` (one replica flapping between ready and not), as a Deployment
 * controller does on a real cluster. It runs the same on the sandbox and on a real API server,
 * where no controller-manager runs.
 */
import { flappingStatus } from '@tandem/kube-sandbox';
import type { Json, TestCluster } from './cluster.js';

export interface StatusChurn {
  /** Status writes accepted so far. */
  readonly writes: number;
  stop(): Promise<void>;
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/shop/deployments';

export function startStatusChurn(cluster: TestCluster, intervalMs: number): StatusChurn {
  let tick = 0;
  let writes = 0;
  let stopped = false;
  let running: Promise<void> | undefined;

  const writeAll = async (): Promise<void> => {
    tick += 1;
    const list = await cluster.request('GET', DEPLOYMENTS);
    const items = list.status === 200 ? (((list.body as Json)['items'] as Json[] | undefined) ?? []) : [];
    for (const deployment of items) {
      if (stopped) return;
      const metadata = deployment['metadata'] as Json;
      // A conflict means someone wrote in between; a controller simply tries again next tick.
      const written = await cluster.request('PUT', `${DEPLOYMENTS}/${String(metadata['name'])}/status`, { ...deployment, status: flappingStatus(deployment, tick, new Date().toISOString().replace(/\.\d+Z$/, 'Z')) });
      if (written.status === 200) writes += 1;
    }
  };

  const timer = setInterval(() => {
    // One round at a time: a tick that finds the previous round still writing is skipped, not stacked.
    if (stopped || running !== undefined) return;
    running = writeAll()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();

  return {
    get writes() {
      return writes;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
