/**
 * The clusters every cluster-facing scenario runs against: the embedded sandbox and a real
 * kube-apiserver with etcd (@tandem/kube-env), both seeded with the same demo data. A suite is
 * written once and parametrised over `TARGETS`:
 *
 *   describe.each(TARGETS)('kubectl against %s', (target) => {
 *     const cluster = withCluster(target);
 *     ...
 *   });
 *
 * `TANDEM_TEST_TARGETS=sandbox` (or `kube-apiserver`) narrows the run, e.g. on a machine
 * without Go; CI runs both.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createObjects, startKubeEnv, type KubeEnv, type KubeEnvUser } from '@tandem/kube-env';
import { demoObjects, startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import { afterAll, beforeAll } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kubeRequest, openWatch, type KubeEndpoint, type KubeResponse, type WatchStream } from './kube-http.js';

export type TargetName = 'sandbox' | 'kube-apiserver';

const ALL_TARGETS: readonly TargetName[] = ['sandbox', 'kube-apiserver'];

function targetsFromEnv(): readonly TargetName[] {
  const requested = process.env['TANDEM_TEST_TARGETS'];
  if (requested === undefined || requested.trim() === '') return ALL_TARGETS;
  const names = requested.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!ALL_TARGETS.includes(name as TargetName)) throw new Error(`TANDEM_TEST_TARGETS: unknown target "${name}" (known: ${ALL_TARGETS.join(', ')})`);
  }
  return names as TargetName[];
}

/** The targets this run covers (both unless TANDEM_TEST_TARGETS narrows it). */
export const TARGETS: readonly TargetName[] = targetsFromEnv();

/** Users every real test cluster knows besides admin; the sandbox accepts anyone. */
export const TEST_USERS: readonly KubeEnvUser[] = [
  { name: 'alice', groups: ['tandem:editors'] },
  { name: 'bob', groups: ['tandem:editors'] },
  { name: 'viewer', groups: ['tandem:viewers'] },
];

export interface ClusterKubeconfigOptions {
  readonly context?: string;
  readonly namespace?: string;
  /** A user of TEST_USERS (real target) instead of admin. */
  readonly user?: string;
  /** Talk to this URL instead of the cluster itself, e.g. a TCP proxy in front of it. */
  readonly server?: string;
}

export interface TestCluster extends KubeEndpoint {
  readonly target: TargetName;
  /** The URL clients use: http://… for the sandbox, https://… for the real API server. */
  readonly url: string;
  kubeconfig(options?: ClusterKubeconfigOptions): string;
  writeKubeconfig(path: string, options?: ClusterKubeconfigOptions): Promise<void>;
  /** One request as admin; any status. */
  request(method: HttpMethod, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
  /** One request as admin that must succeed; resolves with the JSON body. */
  api(method: HttpMethod, path: string, body?: unknown, contentType?: string): Promise<Json>;
  openWatch(path: string, query?: Record<string, string>): Promise<WatchStream>;
  /**
   * Makes every resourceVersion issued so far too old to resume a watch from (410 Gone): the
   * sandbox forgets its watch history, the real server compacts etcd.
   */
  forgetHistory(): Promise<void>;
  /** The real API server's harness (users' tokens, client certificates); undefined for the sandbox. */
  readonly kubeEnv: KubeEnv | undefined;
  close(): Promise<void>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Json = Record<string, unknown>;

export interface StartClusterOptions {
  /** Default true: the sandbox's demo data (namespace shop with Deployments web and worker, …). */
  readonly seed?: boolean;
}

/** Points a kubeconfig at another address (a proxy in front of the cluster), keeping the cluster's scheme. */
function withServer(kubeconfig: string, from: string, to: string | undefined): string {
  if (to === undefined) return kubeconfig;
  const redirected = new URL(from);
  redirected.host = new URL(to).host;
  return kubeconfig.replaceAll(from, redirected.origin);
}

function common(endpoint: KubeEndpoint, target: TargetName, forgetHistory: () => Promise<void>, close: () => Promise<void>, kubeconfig: (options?: ClusterKubeconfigOptions) => string, kubeEnv?: KubeEnv): TestCluster {
  return {
    ...endpoint,
    target,
    kubeEnv,
    kubeconfig,
    async writeKubeconfig(path, options) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, kubeconfig(options), { mode: 0o600 });
    },
    request: (method, path, body, contentType) => kubeRequest(endpoint, method, path, body, contentType),
    async api(method, path, body, contentType) {
      const response = await kubeRequest(endpoint, method, path, body, contentType);
      if (response.status < 200 || response.status >= 300) throw new Error(`${method} ${path} answered ${String(response.status)}: ${JSON.stringify(response.body)}`);
      return response.body as Json;
    },
    openWatch: (path, query) => openWatch(endpoint, path, query),
    forgetHistory,
    close,
  };
}

function sandboxCluster(sandbox: Sandbox): TestCluster {
  return common(
    { url: sandbox.url },
    'sandbox',
    () => {
      sandbox.trimHistory();
      return Promise.resolve();
    },
    () => sandbox.close(),
    (options = {}) => withServer(sandbox.kubeconfig({ ...(options.context !== undefined ? { context: options.context } : {}), ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) }), sandbox.url, options.server),
  );
}

function realCluster(env: KubeEnv): TestCluster {
  return common(
    { url: env.url, agent: env.agent, headers: { authorization: `Bearer ${env.token()}` } },
    'kube-apiserver',
    async () => {
      await env.compact();
    },
    () => env.close(),
    (options = {}) =>
      withServer(
        env.kubeconfig({ ...(options.context !== undefined ? { context: options.context } : {}), ...(options.namespace !== undefined ? { namespace: options.namespace } : {}), ...(options.user !== undefined ? { user: options.user } : {}) }),
        env.url,
        options.server,
      ),
    env,
  );
}

/** Starts one cluster of the given target, seeded with the demo data unless told otherwise. */
export async function startCluster(target: TargetName, options: StartClusterOptions = {}): Promise<TestCluster> {
  const seed = options.seed ?? true;
  if (target === 'sandbox') return sandboxCluster(await startSandbox({ seed }));
  const env = await startKubeEnv({ users: TEST_USERS });
  try {
    if (seed) await createObjects(env, demoObjects());
  } catch (error) {
    await env.close();
    throw error;
  }
  return realCluster(env);
}

/**
 * Starts one cluster for the enclosing `describe` (or file) and closes it afterwards. Returns
 * an accessor because the cluster only exists once `beforeAll` has run.
 */
export function withCluster(target: TargetName, options: StartClusterOptions = {}): () => TestCluster {
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(target, options);
  }, 600_000);
  afterAll(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  return () => {
    if (cluster === undefined) throw new Error('The cluster is not running: call the accessor from inside a test or hook, not at collection time.');
    return cluster;
  };
}

/** Host and port of a cluster URL, for raw TCP access (a proxy in front of it). */
export function endpointOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

/** A client-node KubeConfig for a test cluster (admin unless `user` is given). */
export function loadKubeConfig(cluster: TestCluster, options: ClusterKubeconfigOptions = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.kubeconfig(options));
  return kubeConfig;
}

/** The `cluster` and `user` entries of a test cluster's kubeconfig, for tests that lay out kubeconfig files of their own. */
export function kubeconfigEntriesOf(cluster: TestCluster, options: ClusterKubeconfigOptions = {}): { cluster: Json; user: Json } {
  const parsed = parseYaml(cluster.kubeconfig(options)) as { clusters: { cluster: Json }[]; users: { user: Json }[] };
  const [clusterEntry] = parsed.clusters;
  const [userEntry] = parsed.users;
  if (clusterEntry === undefined || userEntry === undefined) throw new Error(`The ${cluster.target} kubeconfig has no cluster or user`);
  return { cluster: clusterEntry.cluster, user: userEntry.user };
}
