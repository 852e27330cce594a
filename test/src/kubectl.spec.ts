/**
 * The real kubectl against the sandbox and against a real kube-apiserver: every command a user
 * runs while editing together must behave the same on both.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { TARGETS, withCluster } from './support/cluster.js';
import { kubectl as runKubectl, spawnKubectl, writeEditorScript, type KubectlResult } from './support/kubectl.js';

type Json = Record<string, unknown>;

const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';
const CM = '/api/v1/namespaces/shop/configmaps';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
}
const podSpecOf = (deployment: Json): Json => ((deployment['spec'] as Json)['template'] as Json)['spec'] as Json;
const containersOf = (deployment: Json): Container[] => podSpecOf(deployment)['containers'] as Container[];
const containerNamed = (deployment: Json, name: string): Container | undefined => containersOf(deployment).find((c) => c.name === name);
const rvOf = (object: Json): string => String((object['metadata'] as Json)['resourceVersion']);

describe.each(TARGETS)('kubectl against %s', (target) => {
  const cluster = withCluster(target);
  let workDir: string;
  let kubeconfig: string;

  /** kubectl through the cluster's kubeconfig, with its HOME in the work dir. */
  function kubectl(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<KubectlResult> {
    return runKubectl(args, { kubeconfig, home: join(workDir, 'home'), ...options });
  }

  const api = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<Json> =>
    (await cluster().request(method, path, body, contentType)).body as Json;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tandem-kubectl-'));
    kubeconfig = join(workDir, 'kubeconfig');
    await cluster().writeKubeconfig(kubeconfig, { namespace: 'shop' });
  });

  afterAll(async () => {
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('gets, prints YAML and describes the demo Deployment', async () => {
    const list = await kubectl(['get', 'deploy']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    expect(list.stdout).toMatch(/^web\s+2\/2\s+2\s+2\s/m);
    expect(list.stdout).toMatch(/^worker\s/m);

    const yaml = await kubectl(['get', 'deploy', 'web', '-o', 'yaml']);
    const web = parse(yaml.stdout) as Json;
    expect(web).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } });
    expect(containersOf(web).map((c) => c.name)).toEqual(['web', 'log-shipper']);

    const described = await kubectl(['describe', 'deploy/web']);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^Name:\s+web$/m);
    expect(described.stdout).toMatch(/^NewReplicaSet:\s+web-\S+ \(2\/2 replicas created\)$/m);
    expect(described.stdout).toContain('ScalingReplicaSet');
  });

  it('applies a new Deployment, then an update that changes one container only', async () => {
    const file = join(workDir, 'api.yaml');
    const manifest = (image: string): Json => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: { containers: [{ name: 'api', image }, { name: 'proxy', image: 'envoy:1', env: [{ name: 'MODE', value: 'edge' }] }] },
        },
      },
    });
    await writeFile(file, stringify(manifest('api:1')));
    const created = await kubectl(['apply', '-f', file]);
    expect(created.stdout.trim()).toBe('deployment.apps/api created');
    await writeFile(file, stringify(manifest('api:2')));
    const updated = await kubectl(['apply', '-f', file]);
    expect(updated.stdout.trim()).toBe('deployment.apps/api configured');
    const managersOf = (object: Json): string[] => ((object['metadata'] as Json)['managedFields'] as { manager: string }[]).map((entry) => entry.manager);
    expect(updated.stderr).toBe('');
    const stored = await api('GET', `${DEPLOY}/api`);
    // What the manifest declares, updated by name; a real server adds its defaults (imagePullPolicy, …) beside it.
    expect(containersOf(stored).map(({ name, image, env }) => ({ name, image, ...(env !== undefined ? { env } : {}) }))).toEqual([
      { name: 'api', image: 'api:2' },
      { name: 'proxy', image: 'envoy:1', env: [{ name: 'MODE', value: 'edge' }] },
    ]);
    expect((stored['metadata'] as Json)['generation']).toBe(2);
    expect(managersOf(stored)).toContain('kubectl-client-side-apply');
  });

  it('edits one container by name and one env value, leaving the other container intact', async () => {
    const before = await api('GET', `${DEPLOY}/web`);
    const yamlModule = createRequire(import.meta.url).resolve('yaml');
    // The editor kubectl runs: it changes the log-shipper's image and one of its env values.
    const editor = await writeEditorScript(
      workDir,
      `import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const { parse, stringify } = createRequire(import.meta.url)(${JSON.stringify(yamlModule)});
const file = process.argv[2];
const deployment = parse(readFileSync(file, 'utf8'));
const shipper = deployment.spec.template.spec.containers.find((c) => c.name === 'log-shipper');
shipper.image = 'fluent/fluent-bit:3.2';
shipper.env.find((e) => e.name === 'FLUENT_LOG_LEVEL').value = 'debug';
writeFileSync(file, stringify(deployment));
`,
    );
    const edited = await kubectl(['edit', 'deploy/web'], { env: { KUBE_EDITOR: editor } });
    expect(edited.stderr).toBe('');
    expect(edited.stdout.trim()).toBe('deployment.apps/web edited');

    const after = await api('GET', `${DEPLOY}/web`);
    expect(containerNamed(after, 'log-shipper')).toEqual({
      ...containerNamed(before, 'log-shipper'),
      image: 'fluent/fluent-bit:3.2',
      env: [
        { name: 'FLUENT_LOG_LEVEL', value: 'debug' },
        { name: 'SHIP_TO', value: 'logs.shop.svc:24224' },
      ],
    });
    expect(containerNamed(after, 'web')).toEqual(containerNamed(before, 'web'));
    expect(podSpecOf(after)['volumes']).toEqual(podSpecOf(before)['volumes']);
  });

  it('replaces from a fresh copy, and refuses a stale one', async () => {
    const file = join(workDir, 'worker.yaml');
    await writeFile(file, (await kubectl(['get', 'deploy', 'worker', '-o', 'yaml'])).stdout);
    const fresh = await kubectl(['replace', '-f', file]);
    expect(fresh.stdout.trim()).toBe('deployment.apps/worker replaced');
    await api('PATCH', `${DEPLOY}/worker`, { metadata: { labels: { touched: 'by-someone-else' } } }, 'application/merge-patch+json');
    const stale = await kubectl(['replace', '-f', file]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('the object has been modified');
    expect(((await api('GET', `${DEPLOY}/worker`))['metadata'] as Json)['labels']).toMatchObject({ touched: 'by-someone-else' });
  });

  it('patches with merge, JSON and strategic patches, and reports a no-op', async () => {
    await api('POST', CM, { metadata: { name: 'flags' }, data: { checkout: 'on' } });
    const merge = await kubectl(['patch', 'configmap', 'flags', '--type', 'merge', '-p', '{"data":{"search":"on"}}']);
    expect(merge.stdout.trim()).toBe('configmap/flags patched');
    const json = await kubectl(['patch', 'configmap', 'flags', '--type', 'json', '-p', '[{"op":"replace","path":"/data/checkout","value":"off"}]']);
    expect(json.stdout.trim()).toBe('configmap/flags patched');
    expect((await api('GET', `${CM}/flags`))['data']).toEqual({ checkout: 'off', search: 'on' });
    const patchedBy = ((await api('GET', `${CM}/flags`))['metadata'] as Json)['managedFields'] as { manager: string }[];
    expect(patchedBy.map((entry) => entry.manager)).toContain('kubectl-patch');

    const strategic = await kubectl(['patch', 'deploy', 'web', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}']);
    expect(strategic.stdout.trim()).toBe('deployment.apps/web patched');
    const web = await api('GET', `${DEPLOY}/web`);
    expect(containersOf(web).map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:1.28'],
      ['log-shipper', 'fluent/fluent-bit:3.2'],
    ]);

    const noChange = await kubectl(['patch', 'configmap', 'flags', '--type', 'merge', '-p', '{"data":{"search":"on"}}']);
    expect(noChange.stdout.trim()).toBe('configmap/flags patched (no change)');
  });

  it('diffs a file against the live object without changing it', async () => {
    const live = await api('GET', `${CM}/flags`);
    const file = join(workDir, 'flags.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: shop\ndata:\n  checkout: "on"\n  search: "on"\n');
    const diff = await kubectl(['diff', '-f', file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+checkout: "?off"?$/m);
    expect(diff.stdout).toMatch(/^\+\s+checkout: "?on"?$/m);
    expect(rvOf(await api('GET', `${CM}/flags`))).toBe(rvOf(live));
  });

  it('watches ADDED, MODIFIED and DELETED events', async () => {
    let child: ChildProcess | undefined;
    try {
      let output = '';
      const seen = (pattern: RegExp): Promise<void> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            if (pattern.test(output)) resolve();
          };
          child?.stdout?.on('data', check);
          child?.on('close', () => reject(new Error(`kubectl get -w ended before printing ${String(pattern)}; it printed:\n${output}`)));
          check();
        });
      child = spawnKubectl(['get', 'configmaps', '-w', '--output-watch-events'], { kubeconfig, home: join(workDir, 'home') });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await seen(/^ADDED\s+worker-config\b/m);
      await api('POST', CM, { metadata: { name: 'watched' }, data: { a: '1' } });
      await seen(/^ADDED\s+watched\b/m);
      await api('PATCH', `${CM}/watched`, { data: { a: '2' } }, 'application/merge-patch+json');
      await seen(/^MODIFIED\s+watched\b/m);
      await api('DELETE', `${CM}/watched`);
      await seen(/^DELETED\s+watched\b/m);
      expect(output.split('\n').filter((line) => /\swatched\s/.test(line)).map((line) => line.split(/\s+/)[0])).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    } finally {
      child?.kill();
    }
  });

  it('deletes an object', async () => {
    const deleted = await kubectl(['delete', 'configmap', 'flags']);
    expect(deleted.stdout.trim()).toBe('configmap "flags" deleted');
    const gone = await kubectl(['get', 'configmap', 'flags']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('configmaps "flags" not found');
  });
});
