import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shapeOfObject } from '@tandem/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

/**
 * `kubectl patch --local` applies a strategic merge patch with the same apimachinery code
 * the API server runs, so it is the reference these cases are checked against.
 */
const home = mkdtempSync(join(tmpdir(), 'smp-kubectl-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function kubectlPatch(object: Record<string, unknown>, patch: Record<string, unknown>): unknown {
  const output = execFileSync(
    '/usr/bin/kubectl',
    ['patch', '--local', '-f', '-', '--type', 'strategic', '-p', JSON.stringify(patch), '-o', 'json', '--cache-dir', join(home, 'cache')],
    { input: JSON.stringify(object), env: { ...process.env, HOME: home, KUBECONFIG: join(home, 'none') }, encoding: 'utf8' },
  );
  return JSON.parse(output);
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a.example/x', 'b.example/y', 'c.example/z'] },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx:2',
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'LEVEL', value: 'info' },
            ],
            ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'b', image: 'busybox' },
          { name: 'sidecar', image: 'envoy:1' },
          { name: 'd', image: 'debian' },
        ],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'cfg', configMap: { name: 'cfg' } },
        ],
        tolerations: [{ key: 'k1', operator: 'Exists' }],
      },
    },
  },
};

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81 }] } };

const podSpecPatch = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ["kubectl edit's image change", deployment, podSpecPatch({ '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'sidecar' }, { name: 'd' }], containers: [{ image: 'nginx:3', name: 'c' }] })],
  ['an env var added without an order', deployment, podSpecPatch({ containers: [{ name: 'c', env: [{ name: 'NEW', value: '1' }] }] })],
  [
    'an env var added in the middle',
    deployment,
    podSpecPatch({ containers: [{ name: 'c', '$setElementOrder/env': [{ name: 'MODE' }, { name: 'NEW' }, { name: 'LEVEL' }], env: [{ name: 'NEW', value: '1' }] }] }),
  ],
  ['a container deleted', deployment, podSpecPatch({ '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'd' }], containers: [{ $patch: 'delete', name: 'sidecar' }] })],
  [
    'containers reordered and added to',
    deployment,
    podSpecPatch({
      '$setElementOrder/containers': [{ name: 'new1' }, { name: 'd' }, { name: 'c' }, { name: 'new2' }],
      containers: [{ name: 'new1', image: 'a' }, { name: 'd', image: 'debian:12' }, { name: 'new2', image: 'b' }],
    }),
  ],
  ['an order naming only some containers', deployment, podSpecPatch({ '$setElementOrder/containers': [{ name: 'd' }, { name: 'c' }], containers: [{ name: 'c', image: 'nginx:4' }] })],
  ['a list replaced with $patch: replace', deployment, podSpecPatch({ containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] })],
  ['a map replaced and a map deleted', deployment, { metadata: { labels: { $patch: 'replace', only: 'this' } }, spec: { strategy: { $patch: 'delete' } } }],
  ['finalizers deleted and added', deployment, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b.example/y'], finalizers: ['d.example/w'] } }],
  [
    'finalizers in a given order',
    deployment,
    { metadata: { '$setElementOrder/finalizers': ['c.example/z', 'd.example/w', 'a.example/x'], '$deleteFromPrimitiveList/finalizers': ['b.example/y'], finalizers: ['d.example/w'] } },
  ],
  ['a volume source swapped with $retainKeys', deployment, podSpecPatch({ '$setElementOrder/volumes': [{ name: 'data' }, { name: 'cfg' }], volumes: [{ $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' }, name: 'data' }] })],
  ['the strategy switched with $retainKeys', deployment, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }],
  ['ports and volume mounts by their keys', deployment, podSpecPatch({ containers: [{ name: 'c', ports: [{ containerPort: 443, name: 'https' }, { containerPort: 8080 }], volumeMounts: [{ mountPath: '/data', readOnly: true }] }] })],
  ['tolerations replaced whole, a label deleted, a scalar replaced by a map', deployment, { metadata: { labels: { tier: null } }, spec: { replicas: 3, template: { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }], nodeSelector: { disk: 'ssd' } } } } }],
  ['service ports by port', service, { spec: { ports: [{ port: 81, targetPort: 9090 }, { port: 82 }] } }],
];

describe(`${applyStrategicMergePatch.name} against kubectl's own strategic merge`, () => {
  it.each(cases)('gives the same object for %s', (_title, object, patch) => {
    expect(applyStrategicMergePatch(object, patch, shapeOfObject(object))).toEqual(kubectlPatch(object, patch));
  });
});
