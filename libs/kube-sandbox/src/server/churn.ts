import { isRecord, kubeTime, metadataOf } from './object.js';
import { findResourceType } from './resources.js';
import { DEMO_NAMESPACE } from './seed.js';
import type { Store } from './store.js';

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
      const spec = isRecord(deployment['spec']) ? deployment['spec'] : {};
      const replicas = typeof spec['replicas'] === 'number' ? spec['replicas'] : 1;
      const ready = tick % 2 === 1 ? Math.max(replicas - 1, 0) : replicas;
      const { unavailableReplicas: _previous, ...status } = isRecord(deployment['status']) ? deployment['status'] : {};
      const now = kubeTime();
      const conditions = Array.isArray(status['conditions']) ? status['conditions'].filter(isRecord) : [];
      store.update(deployments, DEMO_NAMESPACE, String(metadata['name']), {
        ...deployment,
        status: {
          ...status,
          observedGeneration: metadata['generation'],
          replicas,
          updatedReplicas: replicas,
          readyReplicas: ready,
          availableReplicas: ready,
          ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
          conditions: conditions.map((c) => (c['type'] === 'Progressing' ? { ...c, lastUpdateTime: now } : c)),
        },
      }, { subresource: 'status' });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
