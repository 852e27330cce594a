/**
 * The cluster the gateway runs in, as a context: reached through the Pod's ServiceAccount, as
 * client-go's rest.InClusterConfig does (the API server's address from KUBERNETES_SERVICE_HOST and
 * KUBERNETES_SERVICE_PORT, its CA and a bearer token from the ServiceAccount directory).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { InClusterConfig } from '../config/config.schema.js';

/** Context name and `ContextInfo.source` of the in-cluster context. */
export const IN_CLUSTER_CONTEXT = 'in-cluster';
export const IN_CLUSTER_SOURCE = 'in-cluster';

export type InClusterContext =
  | { readonly present: false; readonly reason: string }
  | { readonly present: true; readonly server: string; readonly namespace: string | undefined; readonly kubeConfig: KubeConfig | undefined; readonly problem: string | undefined };

/**
 * Whether there is an in-cluster context, and how to reach it. `auto` offers one only inside a Pod
 * (the service variables set and a token mounted); `on` always lists it, degraded with the reason
 * when the token or CA is missing; `off` never. client-node re-reads the token file every minute,
 * as client-go does, so the kubelet's rotation of projected tokens is followed.
 */
export function inClusterContext(config: InClusterConfig): InClusterContext {
  if (config.mode === 'off') return { present: false, reason: 'TANDEM_IN_CLUSTER is off' };
  const tokenFile = join(config.serviceAccountDir, 'token');
  const caFile = join(config.serviceAccountDir, 'ca.crt');
  const inPod = config.serviceHost !== undefined && config.servicePort !== undefined;
  if (config.mode === 'auto' && !(inPod && existsSync(tokenFile))) {
    return { present: false, reason: inPod ? `no ServiceAccount token at ${tokenFile}` : 'not running in a Pod (KUBERNETES_SERVICE_HOST is not set)' };
  }
  const host = config.serviceHost ?? '';
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${config.servicePort ?? ''}`;
  const missing = [tokenFile, caFile].filter((file) => !existsSync(file));
  const namespace = readNamespace(join(config.serviceAccountDir, 'namespace'));
  if (missing.length > 0) {
    return { present: true, server, namespace, kubeConfig: undefined, problem: `The ServiceAccount's ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing: is automountServiceAccountToken off?` };
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(
    { name: IN_CLUSTER_CONTEXT, server, caFile, skipTLSVerify: false },
    { name: IN_CLUSTER_CONTEXT, authProvider: { name: 'tokenFile', config: { tokenFile } } },
  );
  const [context] = kubeConfig.getContexts();
  if (context !== undefined) {
    kubeConfig.contexts = [{ ...context, name: IN_CLUSTER_CONTEXT, ...(namespace === undefined ? {} : { namespace }) }];
    kubeConfig.setCurrentContext(IN_CLUSTER_CONTEXT);
  }
  return { present: true, server, namespace, kubeConfig, problem: undefined };
}

function readNamespace(file: string): string | undefined {
  try {
    const namespace = readFileSync(file, 'utf8').trim();
    return namespace === '' ? undefined : namespace;
  } catch {
    return undefined;
  }
}
