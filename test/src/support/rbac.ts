/**
 * The RBAC a team would set up, on a real API server: viewers (group tandem:viewers) read in shop,
 * editors (tandem:editors) also write there, nobody but admins reads Secrets, carol may read the
 * edit history (get /tandem/history), and the gateway's own user `tandem-gateway` may only
 * impersonate, review tokens and read what shared watches read.
 */
import { join } from 'node:path';
import type { TestCluster } from './cluster.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';

/** Roles as a team would bind them: viewers read, editors also write; nobody but admins reads Secrets; carol may read history. */
export async function grantRoles(cluster: TestCluster): Promise<void> {
  const read = { apiGroups: ['', 'apps'], resources: ['deployments', 'configmaps', 'services', 'pods', 'replicasets', 'events'], verbs: ['get', 'list', 'watch'] };
  const write = { ...read, verbs: ['get', 'list', 'watch', 'update', 'patch'] };
  await cluster.api('POST', `${RBAC}/namespaces/shop/roles`, { metadata: { name: 'viewer' }, rules: [read] });
  await cluster.api('POST', `${RBAC}/namespaces/shop/roles`, { metadata: { name: 'editor' }, rules: [write] });
  const bind = (name: string, role: string, group: string): Promise<unknown> =>
    cluster.api('POST', `${RBAC}/namespaces/shop/rolebindings`, {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
    });
  await bind('viewers', 'viewer', 'tandem:viewers');
  await bind('editors', 'editor', 'tandem:editors');
  // Browsing starts from the namespace list, which is cluster-wide.
  await cluster.api('POST', `${RBAC}/clusterroles`, { metadata: { name: 'namespace-reader' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }] });
  for (const group of ['tandem:viewers', 'tandem:editors']) {
    await cluster.api('POST', `${RBAC}/clusterrolebindings`, {
      metadata: { name: `namespace-reader-${group.replace(':', '-')}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'namespace-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
    });
  }
  await cluster.api('POST', `${RBAC}/clusterroles`, { metadata: { name: 'tandem-history-reader' }, rules: [{ nonResourceURLs: ['/tandem/history'], verbs: ['get'] }] });
  await cluster.api('POST', `${RBAC}/clusterrolebindings`, {
    metadata: { name: 'carol-reads-history' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tandem-history-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'carol' }],
  });
  // The gateway's own account: impersonate, and read what shared watches read. Nothing else.
  await cluster.api('POST', `${RBAC}/clusterroles`, {
    metadata: { name: 'tandem-gateway' },
    rules: [
      { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
      { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      // token mode: the gateway checks the tokens people sign in with.
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    ],
  });
  await cluster.api('POST', `${RBAC}/clusterrolebindings`, {
    metadata: { name: 'tandem-gateway' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tandem-gateway' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'tandem-gateway' }],
  });
}


/** Writes `<dir>/gateway.kubeconfig` for the gateway's own user `tandem-gateway` (a client certificate) and returns its path. */
export async function writeGatewayKubeconfig(cluster: TestCluster, dir: string, context: string): Promise<string> {
  const env = cluster.kubeEnv;
  if (env === undefined) throw new Error(`the ${cluster.target} target has no users of its own`);
  await env.clientCertificate('tandem-gateway');
  const path = join(dir, 'gateway.kubeconfig');
  await env.writeKubeconfig(path, { user: 'tandem-gateway', context, namespace: 'shop' });
  return path;
}
