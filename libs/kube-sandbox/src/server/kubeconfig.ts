import { stringify } from 'yaml';

export interface KubeconfigOptions {
  context?: string;
  namespace?: string;
}

export const DEFAULT_CONTEXT = 'tandem-sandbox';

/** The token the sandbox's kubeconfig carries; the sandbox accepts any credentials. */
export const SANDBOX_TOKEN = 'tandem-sandbox-token';

/**
 * A kubeconfig for the sandbox. `insecure-skip-tls-verify` is what makes client-node accept
 * an `http://` server; kubectl accepts it as well.
 */
export function renderKubeconfig(url: string, options: KubeconfigOptions = {}): string {
  const context = options.context ?? DEFAULT_CONTEXT;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: context, user: { token: SANDBOX_TOKEN } }],
    contexts: [{ name: context, context: { cluster: context, user: context, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': context,
    preferences: {},
  });
}
