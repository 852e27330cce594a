import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiFailureOf } from './support/kube-status.js';
import { kubeObjectSchema, resourceVersionOrder } from './support/kube-http.js';
import { TARGETS, endpointOf, loadKubeConfig, withCluster } from './support/cluster.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { waitUntil } from './support/wait.js';

const namespace = 'shop';

function configMap(name: string, data: Record<string, string>): V1ConfigMap {
  return { metadata: { name, namespace }, data };
}

function containerImages(deployment: V1Deployment): Record<string, string | undefined> {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return Object.fromEntries(containers.map((container) => [container.name, container.image]));
}

describe.each(TARGETS)('@kubernetes/client-node against %s', (target) => {
  const cluster = withCluster(target);
  const core = () => loadKubeConfig(cluster()).makeApiClient(CoreV1Api);
  const apps = () => loadKubeConfig(cluster()).makeApiClient(AppsV1Api);

  describe('typed CoreV1Api', () => {
    it('lists the seeded namespaces', async () => {
      const namespaces = await core().listNamespace();

      const names = namespaces.items.map((item) => item.metadata?.name);
      expect(names).toEqual(expect.arrayContaining(['default', 'shop']));
    });

    it('creates, reads, replaces and deletes a ConfigMap', async () => {
      const api = core();

      const created = await api.createNamespacedConfigMap({ namespace, body: configMap('crud', { color: 'blue' }) });
      expect(created.metadata?.resourceVersion).toBeTruthy();
      expect(created.metadata?.uid).toBeTruthy();

      const read = await api.readNamespacedConfigMap({ name: 'crud', namespace });
      // Typed creates omit kind/apiVersion; the server must fill them in.
      expect(read).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { color: 'blue' } });

      const replaced = await api.replaceNamespacedConfigMap({
        name: 'crud',
        namespace,
        body: { ...read, data: { color: 'green', size: 'L' } },
      });
      expect(replaced.data).toEqual({ color: 'green', size: 'L' });
      expect(replaced.metadata?.resourceVersion).not.toBe(read.metadata?.resourceVersion);
      expect(replaced.metadata?.uid).toBe(created.metadata?.uid);

      await api.deleteNamespacedConfigMap({ name: 'crud', namespace });

      const afterDelete = await apiFailureOf(api.readNamespacedConfigMap({ name: 'crud', namespace }));
      expect(afterDelete.code).toBe(404);
    });
  });

  describe('typed AppsV1Api', () => {
    it('reads deployment web with its two containers', async () => {
      const web = await apps().readNamespacedDeployment({ name: 'web', namespace });

      expect(web).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web', namespace } });
      expect(web.spec?.template.spec?.containers).toHaveLength(2);
    });

    it('applies a JSON merge patch sent with the merge-patch content type', async () => {
      const api = apps();
      const before = await api.readNamespacedDeployment({ name: 'web', namespace });

      const patched = await api.patchNamespacedDeployment(
        { name: 'web', namespace, body: { metadata: { annotations: { 'tandem.dev/owner': 'payments' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );

      expect(patched.metadata?.annotations?.['tandem.dev/owner']).toBe('payments');
      expect(containerImages(patched)).toEqual(containerImages(before));
      expect(patched.metadata?.resourceVersion).not.toBe(before.metadata?.resourceVersion);
    });

    it('changes one container image by name with a strategic merge patch and keeps the other container', async () => {
      const api = apps();
      const before = await api.readNamespacedDeployment({ name: 'web', namespace });
      const [first, second] = before.spec?.template.spec?.containers ?? [];
      if (first === undefined || second === undefined) throw new Error('The seeded deployment web must have two containers');

      // A merge patch would replace the whole list with this one entry; a strategic one merges by name.
      const patched = await api.patchNamespacedDeployment(
        {
          name: 'web',
          namespace,
          body: { spec: { template: { spec: { containers: [{ name: second.name, image: 'registry.local/patched:2' }] } } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );

      expect(containerImages(patched)).toEqual({ [first.name]: first.image, [second.name]: 'registry.local/patched:2' });
      const reread = await api.readNamespacedDeployment({ name: 'web', namespace });
      expect(containerImages(reread)).toEqual(containerImages(patched));
    });

    it('reads and replaces the status subresource without touching spec', async () => {
      const api = apps();
      const current = await api.readNamespacedDeploymentStatus({ name: 'web', namespace });
      const specReplicas = current.spec?.replicas;

      const replaced = await api.replaceNamespacedDeploymentStatus({
        name: 'web',
        namespace,
        body: {
          ...current,
          // The status endpoint must ignore spec changes, as a real API server does.
          spec: current.spec === undefined ? undefined : { ...current.spec, replicas: (specReplicas ?? 1) + 5 },
          // A consistent status (a real server validates it: no more available than ready, …).
          status: { ...current.status, observedGeneration: current.metadata?.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
        },
      });

      expect(replaced.status).toMatchObject({ readyReplicas: 1, replicas: 1 });
      const reread = await api.readNamespacedDeployment({ name: 'web', namespace });
      expect(reread.status).toMatchObject({ readyReplicas: 1, replicas: 1 });
      expect(reread.spec?.replicas).toBe(specReplicas);
    });
  });

  describe('KubernetesObjectApi (generic objects resolved through discovery)', () => {
    it('reads a Deployment from the apps/v1 group', async () => {
      const objects = KubernetesObjectApi.makeApiClient(loadKubeConfig(cluster()));

      const web = await objects.read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace } });

      expect(web.metadata?.uid).toBeTruthy();
      expect(web.spec?.template.spec?.containers).toHaveLength(2);
    });

    it('creates, reads, replaces, patches and deletes a ConfigMap as a generic object', async () => {
      const objects = KubernetesObjectApi.makeApiClient(loadKubeConfig(cluster()));
      const header = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } };

      const created = await objects.create<V1ConfigMap>({ ...header, data: { tier: 'gold' } });
      expect(created.data).toEqual({ tier: 'gold' });

      const read = await objects.read<V1ConfigMap>(header);
      expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

      const replaced = await objects.replace<V1ConfigMap>({ ...read, data: { tier: 'silver' } });
      expect(replaced.data).toEqual({ tier: 'silver' });

      const patched = await objects.patch<V1ConfigMap>(
        { ...header, data: { region: 'eu' } },
        undefined,
        undefined,
        undefined,
        undefined,
        PatchStrategy.MergePatch,
      );
      expect(patched.data).toEqual({ tier: 'silver', region: 'eu' });

      await objects.delete(header);
      const afterDelete = await apiFailureOf(objects.read(header));
      expect(afterDelete.code).toBe(404);
    });
  });

  describe('errors carry the Kubernetes Status', () => {
    it('answers a missing ConfigMap with 404 NotFound and the server message', async () => {
      const failure = await apiFailureOf(core().readNamespacedConfigMap({ name: 'nope', namespace }));

      expect(failure.code).toBe(404);
      expect(failure.status).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: 'configmaps "nope" not found',
        details: { name: 'nope', kind: 'configmaps' },
      });
    });

    it('rejects a replace based on a stale resourceVersion with 409 Conflict and keeps the newer write', async () => {
      const api = core();
      const original = await api.createNamespacedConfigMap({ namespace, body: configMap('contended', { owner: 'none' }) });
      await api.replaceNamespacedConfigMap({ name: 'contended', namespace, body: { ...original, data: { owner: 'alice' } } });

      const failure = await apiFailureOf(
        api.replaceNamespacedConfigMap({ name: 'contended', namespace, body: { ...original, data: { owner: 'bob' } } }),
      );

      expect(failure.code).toBe(409);
      expect(failure.status.reason).toBe('Conflict');
      expect(failure.status.message).toContain('Operation cannot be fulfilled on configmaps "contended"');
      expect(failure.status.message).toContain('the object has been modified');
      const current = await api.readNamespacedConfigMap({ name: 'contended', namespace });
      expect(current.data).toEqual({ owner: 'alice' });
    });

    it('rejects creating an existing ConfigMap with 409 AlreadyExists', async () => {
      const api = core();
      await api.createNamespacedConfigMap({ namespace, body: configMap('twice', { n: '1' }) });

      const failure = await apiFailureOf(api.createNamespacedConfigMap({ namespace, body: configMap('twice', { n: '2' }) }));

      expect(failure.code).toBe(409);
      expect(failure.status).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "twice" already exists' });
      const current = await api.readNamespacedConfigMap({ name: 'twice', namespace });
      expect(current.data).toEqual({ n: '1' });
    });
  });

  describe('Watch and informer', () => {
    it('streams ADDED, MODIFIED and DELETED for a ConfigMap with increasing resourceVersions', async () => {
      const kubeConfig = loadKubeConfig(cluster());
      const api = kubeConfig.makeApiClient(CoreV1Api);
      const listed = await api.listNamespacedConfigMap({ namespace });
      const seen: { type: string; resourceVersion: string }[] = [];
      let ended: unknown = undefined;

      const controller = await new Watch(kubeConfig).watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { resourceVersion: listed.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type: string, object: unknown) => {
          const parsed = kubeObjectSchema.safeParse(object);
          if (parsed.success && parsed.data.metadata.name === 'watched') {
            seen.push({ type, resourceVersion: parsed.data.metadata.resourceVersion ?? '' });
          }
        },
        (error: unknown) => {
          ended = error ?? 'closed by server';
        },
      );
      try {
        const created = await api.createNamespacedConfigMap({ namespace, body: configMap('watched', { step: '1' }) });
        await api.replaceNamespacedConfigMap({ name: 'watched', namespace, body: { ...created, data: { step: '2' } } });
        await api.deleteNamespacedConfigMap({ name: 'watched', namespace });

        await waitUntil(() => seen.length >= 3 || ended !== undefined, 'the watch delivers three events for ConfigMap watched');
      } finally {
        controller.abort();
      }

      expect(seen.map((event) => event.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      const versions = seen.map((event) => resourceVersionOrder(event.resourceVersion));
      expect(versions.every((version, index) => index === 0 || version > (versions[index - 1] ?? version))).toBe(true);
    });

    it('ends a watch resumed from a forgotten version with an ERROR event 410 Expired', async () => {
      const kubeConfig = loadKubeConfig(cluster());
      const api = kubeConfig.makeApiClient(CoreV1Api);
      const listed = await api.listNamespacedConfigMap({ namespace });
      await api.createNamespacedConfigMap({ namespace, body: configMap('after-list', { n: '1' }) });
      await cluster().forgetHistory();
      const errors: unknown[] = [];
      let ended = false;

      const controller = await new Watch(kubeConfig).watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { resourceVersion: listed.metadata?.resourceVersion },
        (type: string, object: unknown) => {
          if (type === 'ERROR') errors.push(object);
        },
        () => {
          ended = true;
        },
      );
      try {
        await waitUntil(() => ended, 'the server ends the expired watch');
      } finally {
        controller.abort();
      }

      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    });

    it('relists after the history is trimmed and the watch connection drops, then stays in step with the server', async () => {
      const direct = core();
      const proxy = await startTcpProxy(endpointOf(cluster().url));
      const viaProxy = loadKubeConfig(cluster(), { server: proxy.url }).makeApiClient(CoreV1Api);
      let lists = 0;
      let connects = 0;
      const errors: unknown[] = [];
      const added: string[] = [];
      const deleted: string[] = [];
      let stopping = false;

      const informer = makeInformer<V1ConfigMap>(
        loadKubeConfig(cluster(), { server: proxy.url }),
        `/api/v1/namespaces/${namespace}/configmaps`,
        () => {
          lists += 1;
          return viaProxy.listNamespacedConfigMap({ namespace });
        },
      );
      informer.on('add', (object) => added.push(object.metadata?.name ?? ''));
      informer.on('delete', (object) => deleted.push(object.metadata?.name ?? ''));
      informer.on('connect', () => {
        connects += 1;
      });
      informer.on('error', (error) => {
        errors.push(error);
        // client-node leaves restarting after an error to the caller; this is the documented pattern.
        if (!stopping) setTimeout(() => void informer.start(), 50);
      });

      try {
        await informer.start();
        expect(lists).toBe(1);
        await direct.createNamespacedConfigMap({ namespace, body: configMap('informer-live', { n: '1' }) });
        await waitUntil(() => added.includes('informer-live'), 'the informer adds informer-live');
        const connectsBeforeDrop = connects;

        // Changes made while the informer is cut off, then forgotten by the server.
        proxy.suspend();
        await waitUntil(() => errors.length > 0 || connects > connectsBeforeDrop, 'the informer notices the dropped watch');
        await direct.createNamespacedConfigMap({ namespace, body: configMap('informer-missed', { n: '1' }) });
        await direct.deleteNamespacedConfigMap({ name: 'informer-live', namespace });
        await cluster().forgetHistory();
        proxy.resume();

        await waitUntil(
          () => added.includes('informer-missed') && deleted.includes('informer-live'),
          'the informer relists and reports the changes it missed',
        );
        expect(lists).toBeGreaterThanOrEqual(2);
        expect(connects).toBeGreaterThan(connectsBeforeDrop);

        await direct.createNamespacedConfigMap({ namespace, body: configMap('informer-after', { n: '1' }) });
        await waitUntil(() => added.includes('informer-after'), 'the informer adds informer-after after relisting');

        const server = await direct.listNamespacedConfigMap({ namespace });
        const summary = (items: readonly V1ConfigMap[]) =>
          items.map((item) => `${item.metadata?.name}@${item.metadata?.resourceVersion}`).sort();
        expect(summary(informer.list(namespace))).toEqual(summary(server.items));
      } finally {
        stopping = true;
        await informer.stop();
        await proxy.close();
      }
    });
  });
});
