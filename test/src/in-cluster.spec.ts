/**
 * In-cluster mode: the gateway runs as a Pod would, its ServiceAccount's token, CA and namespace in
 * files where Kubernetes mounts them (a temp dir in place of /var/run/secrets/kubernetes.io/serviceaccount)
 * and KUBERNETES_SERVICE_HOST/PORT naming the real API server. The token is a real one, issued by the
 * TokenRequest API for a ServiceAccount bound to a Role; the gateway lists the cluster as context
 * `in-cluster` beside a mounted kubeconfig's contexts, and edits an object through it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContextInfo, JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { startKubeEnv, type KubeEnv } from '@tandem/kube-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { TARGETS as CLUSTER_TARGETS } from './support/cluster.js';
import { eventually } from './support/wait.js';

const NAMESPACE = 'team';
const SERVICE_ACCOUNT = 'tandem';

async function ok(env: KubeEnv, method: 'POST' | 'GET', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await env.request(method, path, body);
  if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} answered ${String(response.status)}: ${JSON.stringify(response.body)}`);
  return response.body as Record<string, unknown>;
}

// Needs the real API server: skipped only when TANDEM_TEST_TARGETS leaves it out (a machine without Go).
describe.skipIf(!CLUSTER_TARGETS.includes('kube-apiserver'))('in-cluster mode against the real API server', () => {
  let env: KubeEnv;
  let dir: string;
  let gateway: RunningGateway;
  let client: TandemClient;

  const contextsNow = async (): Promise<ContextInfo[]> => {
    const response = await fetch(`${gateway.url}/api/contexts`);
    return (await response.json()) as ContextInfo[];
  };

  /** The context list once `condition` holds (the first probe of a context may still be under way). */
  const contextsWhen = (condition: (contexts: ContextInfo[]) => boolean): Promise<ContextInfo[]> =>
    eventually(async () => {
      const contexts = await contextsNow();
      return condition(contexts) ? contexts : undefined;
    }, 'the context list shows what the test waits for');

  beforeAll(async () => {
    env = await startKubeEnv();
    dir = await mkdtemp(join(tmpdir(), 'tandem-in-cluster-'));
    await ok(env, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await ok(env, 'POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hello' } });
    await ok(env, 'POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: SERVICE_ACCOUNT } });
    // The gateway's own rights in its namespace: read and edit ConfigMaps, nothing else.
    await ok(env, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'tandem-configmaps' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch', 'update', 'patch'] }],
    });
    await ok(env, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'tandem-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tandem-configmaps' },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: NAMESPACE }],
    });
    // What the kubelet would project into the Pod: a bound token, the cluster's CA and the namespace.
    const tokenRequest = await ok(env, 'POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${SERVICE_ACCOUNT}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    const token = (tokenRequest['status'] as { token: string }).token;
    const serviceAccountDir = join(dir, 'serviceaccount');
    await mkdir(serviceAccountDir, { recursive: true });
    await writeFile(join(serviceAccountDir, 'token'), token, { mode: 0o600 });
    await writeFile(join(serviceAccountDir, 'ca.crt'), env.caPem);
    await writeFile(join(serviceAccountDir, 'namespace'), NAMESPACE);
    // A mounted kubeconfig beside it (here: the same cluster as admin), whose context must stay listed too.
    const kubeconfig = join(dir, 'mounted.kubeconfig');
    await env.writeKubeconfig(kubeconfig, { context: 'mounted-admin' });
    const server = new URL(env.url);
    gateway = await startGateway({
      env: {
        TANDEM_SANDBOX: 'off',
        TANDEM_IN_CLUSTER: 'auto',
        TANDEM_SERVICE_ACCOUNT_DIR: serviceAccountDir,
        KUBERNETES_SERVICE_HOST: server.hostname,
        KUBERNETES_SERVICE_PORT: server.port,
        KUBECONFIG: kubeconfig,
      },
    });
    client = new TandemClient({ url: gateway.url, user: 'alice' });
    await client.connected();
  }, 600_000);

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
    await env?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('lists the cluster it runs in as context in-cluster, reachable, in the ServiceAccount\'s namespace, beside the mounted kubeconfig\'s context', async () => {
    const contexts = await contextsWhen((list) => list.some((context) => context.name === 'in-cluster' && context.status === 'ok'));
    const inCluster = contexts.find((context) => context.name === 'in-cluster');
    expect(inCluster, JSON.stringify(contexts)).toMatchObject({ name: 'in-cluster', source: 'in-cluster', server: env.url, namespace: NAMESPACE, status: 'ok' });
    expect(contexts.map((context) => context.name)).toContain('mounted-admin');
  });

  it('edits a ConfigMap through the in-cluster context, as its ServiceAccount', async () => {
    const ref: ResourceRef = { context: 'in-cluster', group: '', version: 'v1', resource: 'configmaps', namespace: NAMESPACE, name: 'settings' };
    const joined = await client.request('resource:join', { ref });
    expect(joined.object['data']).toEqual({ greeting: 'hello' });
    const edited: JsonObject = { ...joined.object, data: { greeting: 'hello from the Pod' } };
    const saved = await client.request('resource:save', { ref, baseResourceVersion: joined.resourceVersion, object: edited });
    expect(saved.dryRun).toBe(false);
    expect(saved.changes.map((change) => change.path)).toContain('data.greeting');
    const stored = await ok(env, 'GET', `/api/v1/namespaces/${NAMESPACE}/configmaps/settings`);
    expect(stored['data']).toEqual({ greeting: 'hello from the Pod' });
    // The write was made with the ServiceAccount's token: the cluster records its manager and user.
    const managers = ((stored['metadata'] as { managedFields?: { manager: string }[] }).managedFields ?? []).map((entry) => entry.manager);
    expect(managers).toContain('tandem');
  });

  it('cannot do what the ServiceAccount may not: its Role covers ConfigMaps only', async () => {
    const ref: ResourceRef = { context: 'in-cluster', group: '', version: 'v1', resource: 'serviceaccounts', namespace: NAMESPACE, name: SERVICE_ACCOUNT };
    const ack = await client.requestAck('resource:join', { ref });
    expect(ack.ok).toBe(false);
    expect(JSON.stringify(ack)).toMatch(/forbidden/i);
  });
});
