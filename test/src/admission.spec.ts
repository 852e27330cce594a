/**
 * Leases for every client, on a real kube-apiserver: the API server asks Tandem's admission
 * webhook before it accepts an update, so kubectl cannot write over a field alice holds in
 * Tandem. `kubectl scale` writes through the scale subresource; the webhook counts that as a
 * change to spec.replicas. Proxy sign-in: the gateway writes as each person, so alice's own saves
 * reach the webhook under her name.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, Lease, LockBlocked, ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from './support/clients.js';
import { startCluster, TARGETS, type TestCluster } from './support/cluster.js';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { createKubectlHome, kubectl, type KubectlResult } from './support/kubectl.js';
import { grantRoles } from './support/rbac.js';
import { eventually } from './support/wait.js';

const CONTEXT = 'lab';
const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const DEPLOYMENT = '/apis/apps/v1/namespaces/shop/deployments/web';
const PEOPLE = {
  alice: { 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'tandem:editors' },
  carol: { 'x-forwarded-user': 'carol', 'x-forwarded-groups': '' },
};
const MESSAGE = /spec\.replicas is being edited in Tandem by alice until \d\d:\d\d:\d\d \(lease \d+\); try again when it is released/;

// Needs the real API server (it calls the webhook): skipped only when TANDEM_TEST_TARGETS leaves it out (a machine without Go).
describe.skipIf(!TARGETS.includes('kube-apiserver'))('the admission webhook on a real cluster', () => {
  let cluster: TestCluster;
  let home: string;
  let kubectlHome: string;
  let gateway: RunningGateway | undefined;
  const clients = new ClientPool();
  const kubeconfigs: Record<string, string> = {};

  const as = (user: string, args: readonly string[]): Promise<KubectlResult> => kubectl(['-n', 'shop', ...args], { kubeconfig: kubeconfigs[user] ?? '', home: kubectlHome });
  const replicas = async (): Promise<number> => ((await cluster.api('GET', DEPLOYMENT))['spec'] as JsonObject)['replicas'] as number;

  async function startWebhookGateway(mode: 'warn' | 'enforce'): Promise<RunningGateway> {
    const started = await startGateway({
      env: {
        KUBECONFIG: join(home, 'gateway.kubeconfig'),
        TANDEM_SANDBOX: 'off',
        TANDEM_LEASE_TTL_MS: '120000',
        // People are who the proxy says; the gateway writes as them (impersonation), so the cluster sees alice's own saves as hers.
        TANDEM_AUTH: 'proxy',
        TANDEM_TRUSTED_PROXIES: '127.0.0.1,::1',
        TANDEM_ADMISSION: mode,
        TANDEM_ADMISSION_PORT: '0',
        TANDEM_ADMISSION_CONTEXT: CONTEXT,
        TANDEM_ADMISSION_EXEMPT_GROUPS: 'system:serviceaccounts:kube-system,system:nodes,ci:deployers',
      },
    });
    expect(started.output()).toMatch(/Tandem admission webhook \((warn|enforce)\) at https:\/\/127\.0\.0\.1:\d+\/validate/);
    // The editor asks whether leases hold cluster-wide, and where.
    expect(await (await fetch(`${started.url}/api/admission`)).json()).toEqual({ mode, context: CONTEXT });
    // The operator's step: apply the configuration the gateway renders (replacing an older one).
    const response = await fetch(`${started.url}/api/admission/webhook-configuration`);
    expect(response.status).toBe(200);
    const configuration = (await response.json()) as JsonObject;
    expect(configuration['webhooks']).toMatchObject([
      { failurePolicy: 'Ignore', sideEffects: 'None', matchPolicy: 'Equivalent', timeoutSeconds: 2, admissionReviewVersions: ['v1'], rules: expect.arrayContaining([expect.objectContaining({ apiGroups: ['apps'], operations: ['UPDATE'], resources: expect.arrayContaining(['deployments', 'deployments/scale']) })]) },
    ]);
    await cluster.api('DELETE', `${WEBHOOKS}/tandem-leases`).catch(() => undefined);
    await cluster.api('POST', WEBHOOKS, configuration);
    return started;
  }

  async function aliceLeasesReplicas(url: string): Promise<{ alice: TandemClient; lease: Lease }> {
    const alice = clients.create(url, '', { extraHeaders: PEOPLE.alice });
    await alice.connected();
    await alice.request('resource:join', { ref: webRef });
    const { lease } = await alice.request('lock:acquire', { ref: webRef, path: 'spec.replicas' });
    return { alice, lease };
  }

  /** Waits until the API server calls the (re)applied webhook: a server-side dry run by bob meets the lease. */
  async function webhookInForce(check: (result: KubectlResult) => boolean): Promise<void> {
    await eventually(async () => {
      const result = await as('bob', ['patch', 'deploy/web', '--dry-run=server', '--type=merge', '-p', '{"spec":{"replicas":7}}']);
      return check(result) ? true : undefined;
    }, 'the API server calls the webhook');
  }

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'tandem-admission-'));
    kubectlHome = await createKubectlHome();
    cluster = await startCluster('kube-apiserver');
    await grantRoles(cluster);
    // kubectl scale and a controller's status write go through subresources, which editors also get.
    await cluster.api('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles', {
      metadata: { name: 'scaler' },
      rules: [{ apiGroups: ['apps'], resources: ['deployments/scale', 'deployments/status'], verbs: ['get', 'update', 'patch'] }],
    });
    await cluster.api('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', {
      metadata: { name: 'scalers' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'scaler' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'tandem:editors' }],
    });
    const env = cluster.kubeEnv;
    if (env === undefined) throw new Error('the real API server target has no harness');
    await env.clientCertificate('ci-bot', ['tandem:editors', 'ci:deployers']);
    for (const user of ['bob', 'ci-bot']) {
      kubeconfigs[user] = join(home, `${user}.kubeconfig`);
      await cluster.writeKubeconfig(kubeconfigs[user], { user, context: CONTEXT, namespace: 'shop' });
    }
    // The gateway's own account may only impersonate and read (support/rbac.ts).
    await env.clientCertificate('tandem-gateway');
    await cluster.writeKubeconfig(join(home, 'gateway.kubeconfig'), { user: 'tandem-gateway', context: CONTEXT, namespace: 'shop' });
  });

  afterAll(async () => {
    clients.closeAll();
    await gateway?.stop();
    await cluster?.close();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
    if (kubectlHome !== undefined) await rm(kubectlHome, { recursive: true, force: true });
  });

  describe('enforce', () => {
    let alice: TandemClient;
    let lease: Lease;

    beforeAll(async () => {
      gateway = await startWebhookGateway('enforce');
      ({ alice, lease } = await aliceLeasesReplicas(gateway.url));
      await webhookInForce((result) => result.code !== 0 && MESSAGE.test(result.stderr));
    });

    it('denies bob\'s kubectl scale and kubectl patch of replicas with the lease\'s holder, time and token, and nothing changes; alice hears of it', async () => {
      const heard: LockBlocked[] = [];
      const stop = alice.on('lock:blocked', (event) => heard.push(event));
      const before = await replicas();
      const scaled = await as('bob', ['scale', 'deploy/web', '--replicas=5']);
      expect(scaled.code).not.toBe(0);
      expect(scaled.stderr).toMatch(MESSAGE);
      expect(scaled.stderr).toContain(`(lease ${lease.token})`);
      expect(scaled.stderr).toContain(`until ${new Date(lease.expiresAt).toISOString().slice(11, 19)}`);
      const patched = await as('bob', ['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"replicas":6}}']);
      expect(patched.code).not.toBe(0);
      expect(patched.stderr).toMatch(MESSAGE);
      expect(await replicas()).toBe(before);
      // "kubectl (bob) tried to change spec.replicas", once per attempt; kubectl names itself as field manager for a patch, not for scale.
      await eventually(async () => (heard.length >= 2 ? true : undefined), 'alice hears of both attempts');
      stop();
      expect(heard).toEqual([
        { ref: webRef, path: 'spec.replicas', holder: 'alice', token: lease.token, requester: 'bob', changed: ['spec.replicas'], enforced: true, at: expect.any(Number) },
        { ref: webRef, path: 'spec.replicas', holder: 'alice', token: lease.token, requester: 'bob', client: 'kubectl-patch', changed: ['spec.replicas'], enforced: true, at: expect.any(Number) },
      ]);
    });

    it('lets bob annotate the same object, a controller-style status write through, and a write by an exempt group', async () => {
      const annotated = await as('bob', ['annotate', 'deploy/web', 'reviewed=yes', '--overwrite']);
      expect(annotated.stderr).toBe('');
      expect(annotated.code).toBe(0);
      const status = await as('bob', ['patch', 'deploy/web', '--subresource=status', '--type=merge', '-p', '{"status":{"observedGeneration":1}}']);
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      const pipeline = await as('ci-bot', ['patch', 'deploy/web', '--type=merge', '-p', '{"spec":{"replicas":3}}']);
      expect(pipeline.stderr).toBe('');
      expect(pipeline.code).toBe(0);
      expect(await replicas()).toBe(3);
    });

    it('records every refused write in the edit history as blocked-by-lease, with the requester and the holder', async () => {
      const page = await eventually(async () => {
        const response = await fetch(`${gateway?.url ?? ''}/api/history?outcome=blocked-by-lease&limit=50`, { headers: PEOPLE.carol });
        const body = (await response.json()) as { entries: { actor: string; holder?: string; outcome: string; changes: { path: string }[]; error?: { message: string } }[] };
        return body.entries.length >= 2 ? body : undefined;
      }, 'two blocked-by-lease entries are recorded');
      expect(page.entries[0]).toMatchObject({ actor: 'bob', holder: 'alice', outcome: 'blocked-by-lease', changes: [{ path: 'spec.replicas' }] });
      expect(page.entries[0]?.error?.message).toMatch(MESSAGE);
    });

    it('lets alice\'s own Tandem save of spec.replicas through while she holds it (the cluster sees her as the writer)', async () => {
      const view = await alice.request('resource:join', { ref: webRef });
      const spec = view.object['spec'] as JsonObject;
      const saved = await alice.request('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: { ...view.object, spec: { ...spec, replicas: 8 } } });
      expect(saved.resourceVersion).not.toBe(view.resourceVersion);
      expect(await replicas()).toBe(8);
      // A save gives back the leases of the fields it wrote; alice takes spec.replicas again.
      ({ lease } = await alice.request('lock:acquire', { ref: webRef, path: 'spec.replicas' }));
      const scaled = await as('bob', ['scale', 'deploy/web', '--replicas=5']);
      expect(scaled.stderr).toMatch(MESSAGE);
    });

    it('lets bob scale once alice has released the lease', async () => {
      await alice.request('lock:release', { ref: webRef, path: 'spec.replicas', token: lease.token });
      const scaled = await as('bob', ['scale', 'deploy/web', '--replicas=4']);
      expect(scaled.stderr).toBe('');
      expect(scaled.code).toBe(0);
      expect(await replicas()).toBe(4);
    });
  });

  describe('warn, then no gateway at all', () => {
    beforeAll(async () => {
      await gateway?.stop();
      gateway = await startWebhookGateway('warn');
      await aliceLeasesReplicas(gateway.url);
      await webhookInForce((result) => result.code === 0 && MESSAGE.test(result.stderr));
    });

    it('admits bob\'s kubectl scale and prints the warning', async () => {
      const scaled = await as('bob', ['scale', 'deploy/web', '--replicas=2']);
      expect(scaled.code).toBe(0);
      expect(scaled.stderr).toMatch(new RegExp(`^Warning: ${MESSAGE.source}`, 'm'));
      expect(await replicas()).toBe(2);
    });

    it('lets every write through while no gateway answers (failurePolicy Ignore), within the webhook timeout', async () => {
      await gateway?.stop();
      gateway = undefined;
      const started = Date.now();
      const scaled = await as('bob', ['scale', 'deploy/web', '--replicas=1']);
      expect(scaled.code).toBe(0);
      expect(scaled.stderr).toBe('');
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await replicas()).toBe(1);
    });
  });
});
