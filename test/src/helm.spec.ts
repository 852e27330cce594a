/**
 * The Helm chart (deploy/helm/tandem), proven with helm itself (built from the Go module in
 * tools/helm) and the real kube-apiserver: every values file lints and renders, every rendered
 * manifest passes a server-side dry run, and the gateway's RBAC, applied for real, lets it
 * impersonate, review and watch, and nothing else.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEnv, type KubeEnv } from '@tandem/kube-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { workspaceRoot } from './support/gateway.js';
import { createKubectlHome, kubectl, kubectlOk } from './support/kubectl.js';
import { TARGETS as CLUSTER_TARGETS } from './support/cluster.js';

const CHART = join(workspaceRoot, 'deploy/helm/tandem');
const NAMESPACE = 'tandem';
const RELEASE = 'tandem';
const GATEWAY = `system:serviceaccount:${NAMESPACE}:${RELEASE}`;
const VALUES = ['oidc', 'proxy', 'external-redis', 'in-chart-redis'] as const;
type ValuesName = (typeof VALUES)[number];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** TANDEM_HELM (CI sets it), else the binary tools/helm/build.sh builds or finds in its cache. */
async function helmBinary(): Promise<string> {
  const given = process.env['TANDEM_HELM'];
  if (given !== undefined && given !== '') return given;
  const built = await run('bash', [join(workspaceRoot, 'tools/helm/build.sh')], { HOME: process.env['HOME'] ?? tmpdir(), ...(process.env['XDG_CACHE_HOME'] ? { XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'] } : {}) });
  if (built.code !== 0) throw new Error(`tools/helm/build.sh failed:\n${built.stderr}`);
  return built.stdout.trim();
}

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}

interface GatewayContainer {
  readonly env: readonly EnvVar[];
  readonly securityContext: Record<string, unknown>;
  readonly livenessProbe: { readonly httpGet: { readonly path: string } };
  readonly readinessProbe: { readonly httpGet: { readonly path: string } };
  readonly resources: { readonly requests: Record<string, string> };
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
}

interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

// Needs the real API server: skipped only when TANDEM_TEST_TARGETS leaves it out (a machine without Go).
describe.skipIf(!CLUSTER_TARGETS.includes('kube-apiserver'))('Helm chart deploy/helm/tandem', () => {
  let helm: string;
  let helmHome: string;
  const rendered = new Map<ValuesName, { text: string; manifests: Manifest[] }>();

  const helmRun = (args: readonly string[]): Promise<Run> =>
    run(helm, args, { HOME: helmHome, HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data') });
  const valuesFile = (name: ValuesName): string => join(CHART, 'ci', `${name}-values.yaml`);
  const manifestsOf = (name: ValuesName): Manifest[] => {
    const entry = rendered.get(name);
    if (entry === undefined) throw new Error(`${name} was not rendered`);
    return entry.manifests;
  };
  const find = (name: ValuesName, kind: string): Manifest[] => manifestsOf(name).filter((manifest) => manifest.kind === kind);
  const gatewayOf = (name: ValuesName): { replicas: number; container: GatewayContainer; volumes: readonly { name: string }[] } => {
    const [deployment] = find(name, 'Deployment');
    const spec = deployment?.['spec'] as { replicas: number; template: { spec: { containers: GatewayContainer[]; volumes: { name: string }[] } } } | undefined;
    const container = spec?.template.spec.containers[0];
    if (spec === undefined || container === undefined) throw new Error(`${name}: no gateway Deployment`);
    return { replicas: spec.replicas, container, volumes: spec.template.spec.volumes };
  };
  const envOf = (name: ValuesName): Map<string, EnvVar> => new Map(gatewayOf(name).container.env.map((entry) => [entry.name, entry]));
  const rulesOf = (name: ValuesName): Rule[] => (find(name, 'ClusterRole')[0]?.['rules'] as Rule[] | undefined) ?? [];

  beforeAll(async () => {
    helm = await helmBinary();
    helmHome = await mkdtemp(join(tmpdir(), 'tandem-helm-home-'));
  }, 900_000);

  afterAll(async () => {
    await rm(helmHome, { recursive: true, force: true });
  });

  it.each(VALUES)('helm lint passes with ci/%s-values.yaml', async (name) => {
    const lint = await helmRun(['lint', CHART, '--strict', '-f', valuesFile(name)]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(VALUES)('helm template renders ci/%s-values.yaml', async (name) => {
    const template = await helmRun(['template', RELEASE, CHART, '--namespace', NAMESPACE, '-f', valuesFile(name)]);
    expect(template.code, template.stderr).toBe(0);
    const manifests = parseAllDocuments(template.stdout)
      .map((document) => document.toJS() as Manifest | null)
      .filter((manifest): manifest is Manifest => manifest !== null);
    rendered.set(name, { text: template.stdout, manifests });
    const kinds = manifests.map((manifest) => manifest.kind);
    for (const kind of ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget']) expect(kinds).toContain(kind);
  });

  it('runs two gateways by default, probed on /healthz and /readyz, non-root with a read-only root and a writable /tmp, with resource requests', () => {
    const gateway = gatewayOf('oidc');
    expect(gateway.replicas).toBe(2);
    expect(gateway.container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(gateway.container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(gateway.container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const [deployment] = find('oidc', 'Deployment');
    expect(deployment?.['spec']).toMatchObject({ template: { spec: { securityContext: { runAsNonRoot: true } } } });
    expect(gateway.container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(gateway.volumes.map((volume) => volume.name)).toContain('tmp');
    expect(Object.keys(gateway.container.resources.requests)).toEqual(expect.arrayContaining(['cpu', 'memory']));
    expect(find('oidc', 'PodDisruptionBudget')[0]?.['spec']).toMatchObject({ minAvailable: 1 });
  });

  it('has a value for every variable of docs/configuration.md', async () => {
    const documented = [...(await readFile(join(workspaceRoot, 'docs/configuration.md'), 'utf8')).matchAll(/^\| `([A-Z_]+)`/gm)].map((match) => match[1] ?? '');
    const chart = (await readFile(join(CHART, 'values.yaml'), 'utf8')) + (await readFile(join(CHART, 'templates/deployment.yaml'), 'utf8'));
    // Kubernetes itself sets the service address in every Pod.
    const missing = documented.filter((name) => !name.startsWith('KUBERNETES_SERVICE_') && !chart.includes(name));
    expect(documented.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('passes the sign-in mode to the gateway, the OIDC client secret only from a Secret', () => {
    const oidc = envOf('oidc');
    expect(oidc.get('TANDEM_AUTH')?.value).toBe('oidc');
    expect(oidc.get('TANDEM_OIDC_ISSUER')?.value).toBe('https://dex.example.com');
    expect(oidc.get('TANDEM_OIDC_CLIENT_ID')?.value).toBe('tandem');
    expect(oidc.get('TANDEM_OIDC_CLIENT_SECRET')).toEqual({ name: 'TANDEM_OIDC_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'tandem-oidc', key: 'client-secret' } } });
    expect(oidc.get('TANDEM_ADMIN_GROUPS')?.value).toBe('platform-admins');
    expect(oidc.get('TANDEM_IN_CLUSTER')?.value).toBe('auto');
    const proxy = envOf('proxy');
    expect(proxy.get('TANDEM_AUTH')?.value).toBe('proxy');
    expect(proxy.get('TANDEM_TRUSTED_PROXIES')?.value).toBe('10.0.0.0/8');
    expect(proxy.has('TANDEM_OIDC_CLIENT_SECRET')).toBe(false);
  });

  it('points the gateways at an external Redis (Sentinel, URL from a Secret) or at the chart\'s own Redis StatefulSet with an append-only file on a volume', () => {
    const external = envOf('external-redis');
    expect(external.get('REDIS_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'tandem-redis', key: 'redis-url' });
    expect(external.get('REDIS_SENTINELS')?.value).toMatch(/^redis-sentinel-0\.redis\.tandem-data\.svc:26379,/);
    expect(external.get('REDIS_SENTINEL_MASTER')?.value).toBe('tandem');
    expect(external.get('TANDEM_REDIS_REPLICA_ACK_MS')?.value).toBe('500');
    expect(external.get('TANDEM_LEASE_TTL_MS')?.value).toBe('20000');
    expect(external.get('KUBECONFIG')?.value).toBe('/etc/tandem/kubeconfig/staging:/etc/tandem/kubeconfig/production');
    expect(find('external-redis', 'StatefulSet')).toHaveLength(0);

    const inChart = envOf('in-chart-redis');
    expect(inChart.get('REDIS_URL')?.value).toBe('redis://tandem-redis:6379');
    const [statefulSet] = find('in-chart-redis', 'StatefulSet');
    expect(statefulSet?.metadata.name).toBe('tandem-redis');
    expect(statefulSet?.['spec']).toMatchObject({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '2Gi' } } } }] });
    const config = find('in-chart-redis', 'ConfigMap').find((map) => map.metadata.name === 'tandem-redis')?.['data'] as Record<string, string> | undefined;
    expect(config?.['redis.conf']).toMatch(/^appendonly yes$/m);
  });

  it('keeps socket.io on one gateway per connection: WebSocket-only clients, Ingress timeouts for long-lived sockets, cookie affinity on request', () => {
    const [oidcIngress] = find('oidc', 'Ingress');
    expect(oidcIngress?.metadata).toMatchObject({ annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' } });
    expect(JSON.stringify(oidcIngress?.metadata)).not.toMatch(/affinity/);
    const [proxyIngress] = find('proxy', 'Ingress');
    expect(proxyIngress?.metadata).toMatchObject({ annotations: { 'nginx.ingress.kubernetes.io/affinity': 'cookie' } });
  });

  it('grants each sign-in mode exactly what it needs, and no write verb in any mode', () => {
    const verbsOn = (name: ValuesName, group: string, resource: string): string[] =>
      rulesOf(name)
        .filter((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource))
        .flatMap((rule) => rule.verbs);
    expect(verbsOn('oidc', '', 'users')).toEqual(['impersonate']);
    expect(verbsOn('proxy', '', 'groups')).toEqual(['impersonate']);
    expect(verbsOn('oidc', 'authorization.k8s.io', 'subjectaccessreviews')).toEqual(['create']);
    expect(verbsOn('external-redis', 'authentication.k8s.io', 'tokenreviews')).toEqual(['create']);
    expect(verbsOn('external-redis', '', 'users')).toEqual([]);
    expect(verbsOn('oidc', 'authentication.k8s.io', 'tokenreviews')).toEqual([]);
    for (const name of VALUES) {
      for (const rule of rulesOf(name)) {
        const writes = rule.verbs.filter((verb) => !['get', 'list', 'watch', 'impersonate'].includes(verb));
        // `create` appears only on the review APIs, which store nothing.
        if (writes.length > 0) expect(rule.resources.every((resource) => ['subjectaccessreviews', 'tokenreviews'].includes(resource))).toBe(true);
      }
    }
  });

  it('refuses values that cannot work, at render time', async () => {
    const oidcWithoutSecret = await helmRun(['template', RELEASE, CHART, '--set', 'auth.oidc.issuer=https://id.example.com', '--set', 'auth.oidc.clientId=tandem', '--set', 'redis.url=redis://r:6379']);
    expect(oidcWithoutSecret.code).not.toBe(0);
    expect(oidcWithoutSecret.stderr).toMatch(/clientSecret\.existingSecret/);
    const twoGatewaysNoRedis = await helmRun(['template', RELEASE, CHART, '-f', valuesFile('proxy'), '--set', 'redis.url=']);
    expect(twoGatewaysNoRedis.code).not.toBe(0);
    expect(twoGatewaysNoRedis.stderr).toMatch(/needs a shared Redis/);
  });

  describe('against the real API server', () => {
    let env: KubeEnv;
    let kubectlHome: string;
    let kubeconfig: string;
    const kc = (args: readonly string[], input?: string) => kubectl(args, { kubeconfig, home: kubectlHome, ...(input === undefined ? {} : { input }) });

    beforeAll(async () => {
      env = await startKubeEnv();
      kubectlHome = await createKubectlHome();
      kubeconfig = join(kubectlHome, 'admin.kubeconfig');
      await env.writeKubeconfig(kubeconfig);
      await kubectlOk(['create', 'namespace', NAMESPACE], { kubeconfig, home: kubectlHome });
    }, 600_000);

    afterAll(async () => {
      await env?.close();
      if (kubectlHome !== undefined) await rm(kubectlHome, { recursive: true, force: true });
    });

    it.each(VALUES)('accepts every manifest of ci/%s-values.yaml in a server-side dry run', async (name) => {
      const entry = rendered.get(name);
      expect(entry).toBeDefined();
      const result = await kc(['apply', '--dry-run=server', '-f', '-'], entry?.text ?? '');
      expect(result.code, result.stderr).toBe(0);
      const accepted = result.stdout.split('\n').filter((line) => line.endsWith('(server dry run)'));
      expect(accepted).toHaveLength(entry?.manifests.length ?? -1);
    });

    /** `kubectl auth can-i <verb> <resource> --as <the gateway>`: true for yes, false for no. */
    const gatewayCan = async (verb: string, resource: string, namespace?: string): Promise<boolean> => {
      const result = await kc(['auth', 'can-i', verb, resource, '--as', GATEWAY, ...(namespace === undefined ? ['--all-namespaces'] : ['-n', namespace])]);
      const answer = result.stdout.trim();
      if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl auth can-i ${verb} ${resource}: ${result.stdout}${result.stderr}`);
      return answer === 'yes';
    };

    const applyRbac = async (name: ValuesName): Promise<void> => {
      const rbac = manifestsOf(name).filter((manifest) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(manifest.kind));
      const result = await kc(['apply', '-f', '-'], rbac.map((manifest) => JSON.stringify(manifest)).join('\n'));
      expect(result.code, result.stderr).toBe(0);
    };

    const WRITES = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
    const TARGETS = ['deployments.apps', 'configmaps', 'secrets', 'namespaces', 'pods', 'clusterroles.rbac.authorization.k8s.io', 'customresourcedefinitions.apiextensions.k8s.io'] as const;

    it('oidc and proxy: the gateway may impersonate users and groups, review access and watch, and may not create, update or delete anything itself', async () => {
      await applyRbac('oidc');
      expect(await gatewayCan('impersonate', 'users')).toBe(true);
      expect(await gatewayCan('impersonate', 'groups')).toBe(true);
      expect(await gatewayCan('create', 'subjectaccessreviews.authorization.k8s.io')).toBe(true);
      for (const resource of ['deployments.apps', 'configmaps', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io']) {
        expect(await gatewayCan('watch', resource), `watch ${resource}`).toBe(true);
        expect(await gatewayCan('list', resource), `list ${resource}`).toBe(true);
      }
      expect(await gatewayCan('impersonate', 'serviceaccounts')).toBe(false);
      expect(await gatewayCan('create', 'tokenreviews.authentication.k8s.io')).toBe(false);
      for (const verb of WRITES) {
        for (const resource of TARGETS) expect(await gatewayCan(verb, resource, 'shop'), `${verb} ${resource}`).toBe(false);
      }
      await applyRbac('proxy');
      expect(await gatewayCan('impersonate', 'users')).toBe(true);
      expect(await gatewayCan('create', 'deployments.apps', 'shop')).toBe(false);
    });

    it('token: the gateway may review tokens and access and watch, and may neither impersonate nor write', async () => {
      await applyRbac('external-redis');
      expect(await gatewayCan('create', 'tokenreviews.authentication.k8s.io')).toBe(true);
      expect(await gatewayCan('create', 'subjectaccessreviews.authorization.k8s.io')).toBe(true);
      expect(await gatewayCan('watch', 'deployments.apps')).toBe(true);
      expect(await gatewayCan('impersonate', 'users')).toBe(false);
      expect(await gatewayCan('impersonate', 'groups')).toBe(false);
      for (const verb of WRITES) {
        for (const resource of TARGETS) expect(await gatewayCan(verb, resource, 'shop'), `${verb} ${resource}`).toBe(false);
      }
    });
  });
});
