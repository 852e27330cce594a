/**
 * The differential suite: one table of requests and kubectl commands, each run against the
 * sandbox and against a real kube-apiserver, the answers compared after normalising what
 * legitimately differs (support/differential-normalise.ts). A mismatch fails unless the case is
 * in KNOWN_DIVERGENCES (mirrored in README's "What it does not implement"); a listed case that
 * starts to match fails too, so the list stays true.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, TARGETS, type TestCluster } from './support/cluster.js';
import { normalise, normaliseText, rawRequest, type Json } from './support/differential-normalise.js';
import { kubectl as runKubectl, spawnKubectl, writeReplacingEditor } from './support/kubectl.js';
import { eventually, waitUntil } from './support/wait.js';

/** Cases whose answers differ on purpose, with the reason; README's "What it does not implement" says the same. */
export const KNOWN_DIVERGENCES: Readonly<Record<string, string>> = {
  'version: /version': 'the sandbox reports Kubernetes 1.32 (kubectl 1.32), the reference server is 1.34',
};

interface Side {
  readonly cluster: TestCluster;
  readonly dir: string;
  kubectl(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

interface Case {
  readonly name: string;
  run(side: Side): Promise<unknown>;
}

const CM = '/api/v1/namespaces/shop/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/shop/deployments';
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

const meta = (object: unknown): Json => ((object as Json)['metadata'] ?? {}) as Json;
const rvOf = (object: unknown): string => String(meta(object)['resourceVersion']);
const namesOf = (list: unknown): string[] => (((list as Json)['items'] ?? []) as Json[]).map((item) => String(meta(item)['name']));
const json = (value: unknown): string => JSON.stringify(value);

async function call(side: Side, method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown }> {
  const response = await rawRequest(side.cluster, method, path, { ...(body !== undefined ? { body: json(body) } : {}), ...(contentType !== undefined ? { contentType } : {}) });
  return { status: response.status, body: response.body };
}

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

function deployment(name: string): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }, { name: 'side', image: 'busybox:1' }] } },
    },
  };
}

const WIDGET_CRD: Json = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.diff.example.com' },
  spec: {
    group: 'diff.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};
const WIDGETS = '/apis/diff.example.com/v1/namespaces/shop/widgets';

/** The discovery entries of the resources both serve (the real server serves many more). */
async function resourcesOf(side: Side, path: string, names: readonly string[]): Promise<unknown> {
  const list = (await call(side, 'GET', path)).body as Json;
  const resources = (list['resources'] as Json[]).filter((r) => names.includes(String(r['name'])));
  return normalise(resources.sort((a, b) => String(a['name']).localeCompare(String(b['name']))));
}

const CASES: readonly Case[] = [
  // Discovery and version.
  { name: 'version: /version', run: async (s) => ((await call(s, 'GET', '/version')).body as Json)['minor'] },
  { name: 'discovery: /api', run: async (s) => ((await call(s, 'GET', '/api')).body as Json)['versions'] },
  {
    name: 'discovery: /apis groups served by both',
    run: async (s) => (((await call(s, 'GET', '/apis')).body as Json)['groups'] as Json[]).filter((g) => ['apps', 'apiextensions.k8s.io'].includes(String(g['name']))),
  },
  { name: 'discovery: /apis/apps/v1', run: (s) => resourcesOf(s, '/apis/apps/v1', ['deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']) },
  { name: 'discovery: /api/v1', run: (s) => resourcesOf(s, '/api/v1', ['configmaps', 'secrets', 'namespaces', 'namespaces/status', 'serviceaccounts']) },
  // Reads.
  {
    name: 'get: the demo Deployment',
    run: async (s) => {
      const object = normalise((await call(s, 'GET', `${DEPLOY}/web`)).body) as Json;
      // The sandbox stores its demo data directly; the real server got it through the API, which records managers.
      delete meta(object)['managedFields'];
      return object;
    },
  },
  { name: 'get: 404 Status', run: async (s) => await call(s, 'GET', `${DEPLOY}/nope`) },
  { name: 'list: label selector', run: async (s) => namesOf((await call(s, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb')).body) },
  { name: 'list: set-based label selector', run: async (s) => namesOf((await call(s, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%20in%20(worker,nope)')).body) },
  { name: 'list: field selector', run: async (s) => namesOf((await call(s, 'GET', `${DEPLOY}?fieldSelector=metadata.name%3Dworker`)).body) },
  {
    name: 'table: kubectl get columns and rows',
    run: async (s) => {
      const table = (await rawRequest(s.cluster, 'GET', DEPLOY, { accept: TABLE })).body as Json;
      const columns = (table['columnDefinitions'] as Json[]).map((c) => c['name']);
      const rows = (table['rows'] as Json[]).map((r) => (r['cells'] as unknown[]).filter((_, i) => columns[i] !== 'Age'));
      return { kind: table['kind'], columns, rows };
    },
  },
  {
    name: 'paging: limit, continue, remainingItemCount and 410 once compacted',
    run: async (s) => {
      for (const n of ['a', 'b', 'c']) await call(s, 'POST', CM, configMap(`page-${n}`, { n }, { page: 'yes' }));
      const first = (await call(s, 'GET', `${CM}?limit=2`)).body as Json;
      const token = String(meta(first)['continue']);
      await call(s, 'POST', CM, configMap('page-late', { n: 'late' }, { page: 'yes' }));
      const rest = (await call(s, 'GET', `${CM}?limit=50&continue=${encodeURIComponent(token)}`)).body as Json;
      const selected = (await call(s, 'GET', `${CM}?limit=1&labelSelector=page%3Dyes`)).body as Json;
      await s.cluster.forgetHistory();
      await call(s, 'POST', CM, configMap('page-after', { n: 'after' }));
      const gone = await call(s, 'GET', `${CM}?limit=2&continue=${encodeURIComponent(token)}`);
      return {
        first: namesOf(first),
        remaining: meta(first)['remainingItemCount'],
        rest: namesOf(rest),
        sameSnapshot: rvOf(rest) === rvOf(first),
        selected: { names: namesOf(selected), remaining: meta(selected)['remainingItemCount'] ?? null, more: typeof meta(selected)['continue'] === 'string' },
        gone: normalise(gone),
      };
    },
  },
  // Writes.
  { name: 'create: 201 and the object', run: async (s) => normalise(await call(s, 'POST', `${CM}?fieldManager=diff`, configMap('made', { a: '1' }))) },
  { name: 'create: existing name 409 AlreadyExists', run: async (s) => await call(s, 'POST', CM, configMap('made', { a: '1' })) },
  {
    name: 'replace: PUT with the current version, then a stale one (409)',
    run: async (s) => {
      const current = (await call(s, 'GET', `${CM}/made`)).body as Json;
      const replaced = await call(s, 'PUT', `${CM}/made`, { ...current, data: { a: '2' } });
      const stale = await call(s, 'PUT', `${CM}/made`, { ...current, data: { a: '3' } });
      return { replaced: normalise(replaced), stale };
    },
  },
  {
    name: 'patch: merge, JSON and strategic',
    run: async (s) => {
      await call(s, 'POST', DEPLOY, deployment('patched'));
      const merge = await call(s, 'PATCH', `${CM}/made`, { data: { b: '2' } }, 'application/merge-patch+json');
      const jsonPatch = await call(s, 'PATCH', `${CM}/made`, [{ op: 'add', path: '/data/c', value: '3' }, { op: 'remove', path: '/data/a' }], 'application/json-patch+json');
      const strategic = await call(s, 'PATCH', `${DEPLOY}/patched`, { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:2' }] } } } }, 'application/strategic-merge-patch+json');
      return { merge: normalise(merge), jsonPatch: normalise(jsonPatch), strategic: normalise(strategic) };
    },
  },
  {
    name: 'patch: a no-op keeps the resourceVersion',
    run: async (s) => {
      const before = (await call(s, 'GET', `${CM}/made`)).body;
      const after = await call(s, 'PATCH', `${CM}/made`, { data: { b: '2' } }, 'application/merge-patch+json');
      return { status: after.status, same: rvOf(after.body) === rvOf(before) };
    },
  },
  { name: 'patch: a failing JSON-patch test', run: async (s) => await call(s, 'PATCH', `${CM}/made`, [{ op: 'test', path: '/data/b', value: 'nope' }, { op: 'replace', path: '/data/b', value: 'x' }], 'application/json-patch+json') },
  {
    name: 'patch: resourceVersion in a merge patch is a precondition',
    run: async (s) => await call(s, 'PATCH', `${CM}/made`, { metadata: { resourceVersion: '1' }, data: { b: 'x' } }, 'application/merge-patch+json'),
  },
  {
    name: 'status subresource: writes status only',
    run: async (s) => {
      const current = (await call(s, 'GET', `${DEPLOY}/patched`)).body as Json;
      const written = await call(s, 'PUT', `${DEPLOY}/patched/status`, { ...current, spec: { ...(current['spec'] as Json), replicas: 9 }, status: { replicas: 1, observedGeneration: 1 } });
      const body = written.body as Json;
      return { status: written.status, replicas: (body['spec'] as Json)['replicas'], objectStatus: body['status'] };
    },
  },
  {
    name: 'scale subresource: get, patch, put, stale put',
    run: async (s) => {
      const read = await call(s, 'GET', `${DEPLOY}/patched/scale`);
      const patched = await call(s, 'PATCH', `${DEPLOY}/patched/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
      const put = await call(s, 'PUT', `${DEPLOY}/patched/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'patched', namespace: 'shop' }, spec: { replicas: 4 } });
      const stale = await call(s, 'PUT', `${DEPLOY}/patched/scale`, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'patched', namespace: 'shop', resourceVersion: rvOf(read.body) }, spec: { replicas: 5 } });
      const after = (await call(s, 'GET', `${DEPLOY}/patched`)).body as Json;
      return { read: normalise(read), patched: normalise(patched), put: normalise(put), stale, replicas: (after['spec'] as Json)['replicas'] };
    },
  },
  {
    name: 'delete: uid and resourceVersion preconditions',
    run: async (s) => {
      const current = (await call(s, 'GET', `${CM}/made`)).body;
      const wrongUid = await call(s, 'DELETE', `${CM}/made`, { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } });
      const wrongRv = await call(s, 'DELETE', `${CM}/made`, { preconditions: { resourceVersion: '1' } });
      const deleted = await call(s, 'DELETE', `${CM}/made`, { preconditions: { uid: meta(current)['uid'], resourceVersion: rvOf(current) } });
      return { wrongUid: normalise(wrongUid), wrongRv: normalise(wrongRv), deleted: normalise(deleted) };
    },
  },
  {
    name: 'dryRun=All: answers the object, stores nothing',
    run: async (s) => {
      const dry = await call(s, 'POST', `${CM}?dryRun=All`, configMap('dry', { a: '1' }));
      return { dry: normalise(dry), stored: (await call(s, 'GET', `${CM}/dry`)).status };
    },
  },
  // Watches.
  {
    name: 'watch: from a resourceVersion',
    run: async (s) => {
      const list = (await call(s, 'GET', CM)).body;
      const watch = await s.cluster.openWatch(CM, { resourceVersion: rvOf(list), fieldSelector: 'metadata.name=watched' });
      try {
        await call(s, 'POST', CM, configMap('watched', { a: '1' }));
        await call(s, 'PATCH', `${CM}/watched`, { data: { a: '2' } }, 'application/merge-patch+json');
        await call(s, 'DELETE', `${CM}/watched`);
        await watch.waitFor((e) => e.type === 'DELETED', 'the deletion');
        return watch.events.map((e) => ({ type: e.type, data: e.object['data'] }));
      } finally {
        watch.close();
      }
    },
  },
  {
    name: 'watch: initial events end with a bookmark',
    run: async (s) => {
      const watch = await s.cluster.openWatch(CM, { sendInitialEvents: 'true', allowWatchBookmarks: 'true', resourceVersionMatch: 'NotOlderThan', labelSelector: 'page=yes' });
      try {
        const end = await watch.waitFor((e) => e.type === 'BOOKMARK', 'the initial-events-end bookmark');
        return { added: watch.events.filter((e) => e.type === 'ADDED').map((e) => meta(e.object)['name']), bookmark: normalise(end.object) };
      } finally {
        watch.close();
      }
    },
  },
  {
    name: 'watch: a too-old resourceVersion gets 410 Expired',
    run: async (s) => {
      await s.cluster.forgetHistory();
      const watch = await s.cluster.openWatch(CM, { resourceVersion: '2' });
      try {
        const error = await watch.waitFor((e) => e.type === 'ERROR', 'an ERROR event');
        return { type: error.type, code: error.object['code'], reason: error.object['reason'] };
      } finally {
        watch.close();
      }
    },
  },
  // OpenAPI v3.
  {
    name: 'openapi v3: served kinds, their patch operations and fields',
    run: async (s) => {
      const root = ((await call(s, 'GET', '/openapi/v3')).body as Json)['paths'] as Record<string, { serverRelativeURL: string }>;
      const apps = (await call(s, 'GET', root['apis/apps/v1']?.serverRelativeURL ?? '')).body as Json;
      const paths = apps['paths'] as Record<string, Json>;
      const patch = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.['patch'] as Json;
      const schemas = (apps['components'] as Json)['schemas'] as Record<string, Json>;
      const fields = (name: string): string[] => Object.keys((schemas[name]?.['properties'] as Json | undefined) ?? {}).sort();
      return {
        groups: ['api/v1', 'apis/apps/v1', 'apis/apiextensions.k8s.io/v1'].map((key) => key in root),
        gvk: patch['x-kubernetes-group-version-kind'],
        patchTypes: Object.keys((patch['requestBody'] as Json)['content'] as Json).sort(),
        deployment: fields('io.k8s.api.apps.v1.Deployment'),
        spec: fields('io.k8s.api.apps.v1.DeploymentSpec'),
      };
    },
  },
  // CustomResourceDefinitions.
  {
    name: 'crd: created and established, custom objects served with status, merge patches and a schema',
    run: async (s) => {
      const created = await call(s, 'POST', CRDS, WIDGET_CRD);
      // A real server establishes a CRD a moment after creating it.
      await eventually(async () => (await call(s, 'GET', '/apis/diff.example.com/v1')).status === 200, 'the custom resources are served', 30_000);
      const crd = (await call(s, 'GET', `${CRDS}/widgets.diff.example.com`)).body as Json;
      const conditions = ((crd['status'] as Json | undefined)?.['conditions'] as Json[] | undefined) ?? [];
      const object = await call(s, 'POST', WIDGETS, { apiVersion: 'diff.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1, color: 'red' }, status: { phase: 'dropped' } });
      const merged = await call(s, 'PATCH', `${WIDGETS}/w1`, { spec: { size: 2 } }, 'application/merge-patch+json');
      const strategic = await call(s, 'PATCH', `${WIDGETS}/w1`, { spec: { size: 3 } }, 'application/strategic-merge-patch+json');
      const status = await call(s, 'PUT', `${WIDGETS}/w1/status`, { ...(merged.body as Json), status: { phase: 'Ready' } });
      const discovery = await resourcesOf(s, '/apis/diff.example.com/v1', ['widgets', 'widgets/status']);
      const root = ((await call(s, 'GET', '/openapi/v3')).body as Json)['paths'] as Record<string, { serverRelativeURL: string }>;
      const document = (await call(s, 'GET', root['apis/diff.example.com/v1']?.serverRelativeURL ?? '/none')).body as Json;
      const schema = ((document['components'] as Json | undefined)?.['schemas'] as Record<string, Json> | undefined)?.['com.example.diff.v1.Widget'];
      return {
        created: created.status,
        established: conditions.some((c) => c['type'] === 'Established' && c['status'] === 'True'),
        object: normalise(object),
        merged: normalise(merged),
        strategic: { status: strategic.status, reason: (strategic.body as Json)['reason'] },
        status: normalise(status),
        discovery,
        schema: { gvk: schema?.['x-kubernetes-group-version-kind'], spec: Object.keys(((schema?.['properties'] as Json | undefined)?.['spec'] as Json | undefined)?.['properties'] as Json) },
      };
    },
  },
  // The real kubectl.
  {
    name: 'kubectl: get deploy',
    run: async (s) => normaliseText((await s.kubectl(['get', 'deploy', 'web', 'worker'])).stdout),
  },
  {
    name: 'kubectl: get --chunk-size=1',
    run: async (s) => {
      const result = await s.kubectl(['get', 'pods', '--chunk-size=1', '-o', 'name']);
      return { code: result.code, out: result.stdout };
    },
  },
  {
    name: 'kubectl: create configmap, secret and deployment from literals',
    run: async (s) => {
      const out = [
        await s.kubectl(['create', 'configmap', 'lit', '--from-literal=a=1']),
        await s.kubectl(['create', 'secret', 'generic', 'lit', '--from-literal=a=1']),
        await s.kubectl(['create', 'deployment', 'lit', '--image=nginx', '--replicas=0']),
      ].map((r) => ({ code: r.code, out: r.stdout.trim(), err: r.stderr.trim() }));
      const cm = (await call(s, 'GET', `${CM}/lit`)).body as Json;
      const secret = (await call(s, 'GET', '/api/v1/namespaces/shop/secrets/lit')).body as Json;
      const deploy = (await call(s, 'GET', `${DEPLOY}/lit`)).body as Json;
      return { out, cm: cm['data'], secret: secret['data'], replicas: (deploy['spec'] as Json)['replicas'], spec: (normalise(deploy) as Json)['spec'] };
    },
  },
  {
    name: 'kubectl: describe configmap',
    run: async (s) => normaliseText((await s.kubectl(['describe', 'configmap', 'lit'])).stdout),
  },
  {
    name: 'kubectl: apply twice, diff, replace, patch, scale',
    run: async (s) => {
      const file = join(s.dir, 'applied.yaml');
      const manifest = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
  namespace: shop
spec:
  replicas: 1
  selector: { matchLabels: { app: applied } }
  template:
    metadata: { labels: { app: applied } }
    spec:
      containers: [{ name: main, image: ${image} }]
`;
      await writeFile(file, manifest('nginx:1'));
      const first = await s.kubectl(['apply', '-f', file]);
      const again = await s.kubectl(['apply', '-f', file]);
      await writeFile(file, manifest('nginx:2'));
      const diff = await s.kubectl(['diff', '-f', file]);
      const second = await s.kubectl(['apply', '-f', file]);
      const patch = await s.kubectl(['patch', 'deploy', 'applied', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
      const noop = await s.kubectl(['patch', 'deploy', 'applied', '--type=merge', '-p', '{"spec":{"replicas":2}}']);
      const scale = await s.kubectl(['scale', 'deploy', 'applied', '--replicas=3']);
      const current = await s.kubectl(['get', 'deploy', 'applied', '-o', 'yaml']);
      const replaceFile = join(s.dir, 'replace.yaml');
      await writeFile(replaceFile, current.stdout.replace('image: nginx:2', 'image: nginx:3'));
      const replace = await s.kubectl(['replace', '-f', replaceFile]);
      const staleReplace = await s.kubectl(['replace', '-f', replaceFile]);
      const diffLines = diff.stdout.split('\n').filter((line) => /^[-+]\s/.test(line) && !line.includes('generation') && !line.includes('resourceVersion') && !line.includes('time:'));
      return {
        outputs: [first, again, second, patch, noop, scale, replace].map((r) => ({ code: r.code, out: r.stdout.trim() })),
        diff: { code: diff.code, lines: diffLines },
        stale: { code: staleReplace.code, err: normaliseText(staleReplace.stderr.trim()) },
      };
    },
  },
  {
    name: 'kubectl: edit',
    run: async (s) => {
      const editor = await writeReplacingEditor(s.dir, 'image: nginx:3', 'image: nginx:4');
      const edit = await s.kubectl(['edit', 'deploy', 'applied'], { env: { KUBE_EDITOR: editor } });
      const deploy = (await call(s, 'GET', `${DEPLOY}/applied`)).body as Json;
      return { code: edit.code, out: edit.stdout.trim(), image: json(deploy).includes('nginx:4') };
    },
  },
  {
    name: 'kubectl: get -w sees a change',
    run: async (s) => {
      const watcher: ChildProcess = spawnKubectl(['get', 'configmap', 'lit', '-w', '-o', 'jsonpath={.data.a}{"\\n"}'], { kubeconfig: join(s.dir, 'kubeconfig'), home: join(s.dir, 'home') });
      let out = '';
      watcher.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitUntil(() => out.includes('1'), 'kubectl get -w prints the current value');
        await call(s, 'PATCH', `${CM}/lit`, { data: { a: '7' } }, 'application/merge-patch+json');
        await waitUntil(() => out.includes('7'), 'kubectl get -w prints the change');
        return out.trim().split('\n');
      } finally {
        watcher.kill();
      }
    },
  },
  {
    name: 'kubectl: a CRD round trip (apply the CRD, apply an object, edit it, watch it)',
    run: async (s) => {
      const crdFile = join(s.dir, 'crd.yaml');
      await writeFile(crdFile, json({ ...WIDGET_CRD, metadata: { name: 'gizmos.diff.example.com' }, spec: { ...(WIDGET_CRD['spec'] as Json), names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', shortNames: ['gz'] } } }));
      const crd = await s.kubectl(['apply', '-f', crdFile]);
      const established = await s.kubectl(['wait', '--for=condition=Established', 'crd/gizmos.diff.example.com', '--timeout=30s']);
      const objectFile = join(s.dir, 'gizmo.yaml');
      await writeFile(objectFile, 'apiVersion: diff.example.com/v1\nkind: Gizmo\nmetadata: { name: g1, namespace: shop }\nspec: { size: 1, color: red }\n');
      const object = await s.kubectl(['apply', '-f', objectFile]);
      const again = await s.kubectl(['apply', '-f', objectFile]);
      const watcher = spawnKubectl(['get', 'gz', 'g1', '-w', '-o', 'jsonpath={.spec.color}{"\\n"}'], { kubeconfig: join(s.dir, 'kubeconfig'), home: join(s.dir, 'home') });
      let out = '';
      watcher.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        await waitUntil(() => out.includes('red'), 'kubectl get -w prints the gizmo');
        const editor = await writeReplacingEditor(s.dir, 'color: red', 'color: blue');
        const edit = await s.kubectl(['edit', 'gizmo', 'g1'], { env: { KUBE_EDITOR: editor } });
        await waitUntil(() => out.includes('blue'), 'kubectl get -w prints the edit');
        const get = await s.kubectl(['get', 'gizmos']);
        const deleted = await s.kubectl(['delete', '-f', crdFile]);
        return {
          outputs: [crd, established, object, again, edit, deleted].map((r) => ({ code: r.code, out: r.stdout.trim() })),
          get: normaliseText(get.stdout),
          watched: out.trim().split('\n'),
        };
      } finally {
        watcher.kill();
      }
    },
  },
  {
    name: 'kubectl: delete',
    run: async (s) => {
      const deleted = await s.kubectl(['delete', 'configmap', 'lit']);
      const missing = await s.kubectl(['delete', 'configmap', 'lit']);
      return { deleted: { code: deleted.code, out: deleted.stdout.trim() }, missing: { code: missing.code, err: missing.stderr.trim() } };
    },
  },
];

// Needs the real API server: skipped only when TANDEM_TEST_TARGETS leaves it out (a machine without Go).
describe.skipIf(!TARGETS.includes('kube-apiserver'))('the sandbox against a real kube-apiserver', () => {
  const sides: Side[] = [];
  const matched: string[] = [];
  const diverged: string[] = [];

  beforeAll(async () => {
    const clusters = await Promise.all([startCluster('sandbox'), startCluster('kube-apiserver')]);
    for (const cluster of clusters) {
      const dir = await mkdtemp(join(tmpdir(), `tandem-diff-${cluster.target}-`));
      const kubeconfig = join(dir, 'kubeconfig');
      await cluster.writeKubeconfig(kubeconfig, { namespace: 'shop' });
      sides.push({ cluster, dir, kubectl: (args, options = {}) => runKubectl(args, { kubeconfig, home: join(dir, 'home'), ...options }) });
    }
  }, 600_000);

  afterAll(async () => {
    console.log(`differential: ${String(matched.length)} of ${String(CASES.length)} cases match; known divergences: ${diverged.length === 0 ? 'none' : diverged.join('; ')}`);
    for (const side of sides) {
      await side.cluster.close();
      await rm(side.dir, { recursive: true, force: true });
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, testCase) => {
    const [sandbox, real] = sides;
    if (sandbox === undefined || real === undefined) throw new Error('the clusters did not start');
    const fromSandbox = await testCase.run(sandbox);
    const fromReal = await testCase.run(real);
    const same = JSON.stringify(fromSandbox) === JSON.stringify(fromReal);
    if (name in KNOWN_DIVERGENCES) {
      diverged.push(name);
      // A listed divergence that has gone must leave the list (and README) too.
      expect(same, `"${name}" now matches: remove it from KNOWN_DIVERGENCES and README`).toBe(false);
      return;
    }
    expect(fromSandbox, `sandbox (left) against kube-apiserver (right) for "${name}"`).toEqual(fromReal);
    matched.push(name);
  });
});
