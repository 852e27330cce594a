import { isRecord, kubeTime, metadataOf } from './object.js';
import { findResourceType } from './resources.js';
import { DEMO_NAMESPACE } from './seed.js';
import type { Store } from './store.js';

/**
 * A Deployment's status as a controller reports it on tick `tick`: every replica updated, one of them
 * flapping between ready and not, the Progressing condition refreshed at `now`.
 */
export function flappingStatus(deployment: Record<string, unknown>, tick: number, now: string): Record<string, unknown> {
  const metadata = isRecord(deployment['metadata']) ? deployment['metadata'] : {};
  const spec = isRecord(deployment['spec']) ? deployment['spec'] : {};
  const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
  const ready = tick % 2 === 1 ? Math.max(replicas - 1, 0) : replicas;
  const { unavailableReplicas: _previous, ...status } = isRecord(deployment['status']) ? deployment['status'] : {};
  const conditions = Array.isArray(status['conditions']) ? status['conditions'].filter(isRecord) : [];
  return {
    ...status,
    observedGeneration: metadata['generation'],
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
    conditions: conditions.map((c) => (c['type'] === 'Progressing' ? { ...c, lastUpdateTime: now } : c)),
  };
}

/**
 * A simulated controller: every tick it writes the status of the demo Deployments (one
 * replica flapping between ready and not ready), so clients see outside changes that touch
 * status only.
 */
export function startChurn(store: Store, intervalMs: number): () => void {
  const deployments = findResourceType('apps', 'v1', 'deployments');
  if (!deployments) return () => undefined;
  let tick = 0;
  const timer = setInterval(() => {
    tick++;
    for (const deployment of store.list(deployments, { namespace: DEMO_NAMESPACE })) {
      const metadata = metadataOf(deployment);
      store.update(deployments, DEMO_NAMESPACE, String(metadata['name']), {
        ...deployment,
        status: flappingStatus(deployment, tick, kubeTime()),
      }, { subresource: 'status' });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
