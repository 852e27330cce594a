import type { JsonObject, ResourceRef } from '@tandem/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import { CollabStore } from '../store/store.module.js';
import type { AdmissionRequest } from './admission-review.js';
import { AdmissionService } from './admission.service.js';
import { changedFields, clockTime, passReason } from './lease-check.js';
import { renderWebhookConfiguration } from './webhook-configuration.js';

const ref: ResourceRef = { context: 'lab', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

function deployment(replicas: number, image = 'web:1', annotations: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', resourceVersion: '42', annotations },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image }, { name: 'sidecar', image: 'proxy:1' }] } } },
  };
}

function request(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'u-1',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    name: 'web',
    namespace: 'shop',
    operation: 'UPDATE',
    userInfo: { username: 'bob', groups: ['tandem:editors', 'system:authenticated'] },
    oldObject: deployment(1),
    object: deployment(5),
    ...overrides,
  };
}

const scale = (replicas: number): JsonObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas }, status: { replicas: 1 } });
const exempt = { users: ['deployer'], groups: ['system:nodes', 'ci:deployers'] };

describe('what the webhook compares and what it passes', () => {
  it('compares keyed lists by merge key and counts a Scale\'s spec.replicas as the object\'s', () => {
    expect(changedFields(request({ object: deployment(1, 'web:2') })).map((change) => change.path)).toEqual(['spec.template.spec.containers[name=web].image']);
    expect(changedFields(request({ subResource: 'scale', oldObject: scale(1), object: scale(5) }))).toEqual([{ path: 'spec.replicas', op: 'replace', before: 1, after: 5 }]);
    expect(changedFields(request({ object: deployment(1, 'web:1', { reviewed: 'yes' }) })).map((change) => change.path)).toEqual(['metadata.annotations.reviewed']);
  });

  it('passes non-updates, subresources other than scale, exempt users and groups and the control plane, not other service accounts', () => {
    expect(passReason(request({ operation: 'DELETE' }), exempt)).toBe('not an update');
    expect(passReason(request({ subResource: 'status' }), exempt)).toBe('the status subresource');
    expect(passReason(request({ subResource: 'scale' }), exempt)).toBeUndefined();
    expect(passReason(request({ userInfo: { username: 'deployer' } }), exempt)).toBe('exempt user deployer');
    expect(passReason(request({ userInfo: { username: 'ci', groups: ['ci:deployers'] } }), exempt)).toBe('exempt group ci:deployers');
    expect(passReason(request({ userInfo: { username: 'system:kube-controller-manager' } }), exempt)).toBe('system user system:kube-controller-manager');
    expect(passReason(request({ userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'] } }), exempt)).toBeUndefined();
  });

  it('renders a configuration that fails open, with scale subresources and the configured selectors', () => {
    const configuration = renderWebhookConfiguration({ url: 'https://127.0.0.1:4443/validate', caPem: 'PEM', resources: ['deployments.apps', 'configmaps'], namespaceSelector: { matchLabels: { team: 'shop' } }, objectSelector: undefined });
    expect(configuration.webhooks[0]).toMatchObject({
      failurePolicy: 'Ignore',
      sideEffects: 'None',
      matchPolicy: 'Equivalent',
      timeoutSeconds: 2,
      admissionReviewVersions: ['v1'],
      clientConfig: { url: 'https://127.0.0.1:4443/validate', caBundle: Buffer.from('PEM').toString('base64') },
      rules: [
        { apiGroups: ['apps'], apiVersions: ['*'], operations: ['UPDATE'], resources: ['deployments', 'deployments/scale'], scope: '*' },
        { apiGroups: [''], apiVersions: ['*'], operations: ['UPDATE'], resources: ['configmaps'], scope: '*' },
      ],
      namespaceSelector: { matchLabels: { team: 'shop' } },
      objectSelector: {},
    });
  });
});

describe('AdmissionService.review', () => {
  const stores: CollabStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.onApplicationShutdown();
  });

  async function setUp(mode: 'warn' | 'enforce') {
    const config = loadConfig({ TANDEM_ADMISSION: mode, TANDEM_ADMISSION_CONTEXT: 'lab', TANDEM_SANDBOX: 'off' });
    const store = new CollabStore(config);
    stores.push(store);
    const grant = await store.leases.acquire({ ref, path: 'spec.replicas', owner: 'alice', sessionId: 's-alice', ttlMs: 60_000 });
    if (!grant.granted) throw new Error('no lease');
    const broadcasts: unknown[][] = [];
    const broadcaster = { toRoom: (...args: unknown[]) => broadcasts.push(args) } as unknown as RoomBroadcaster;
    return { service: new AdmissionService(config, store, broadcaster), store, lease: grant.lease, broadcasts };
  }

  it('refuses a change under alice\'s lease with her name, the time and the token, records it, and lets alice and unrelated changes through', async () => {
    const { service, store, lease, broadcasts } = await setUp('enforce');
    const message = `spec.replicas is being edited in Tandem by alice until ${clockTime(lease.expiresAt)} (lease ${lease.token}); try again when it is released`;
    expect(await service.review(request())).toEqual({ uid: 'u-1', allowed: false, status: { code: 403, reason: 'Forbidden', message } });
    expect(broadcasts).toEqual([
      ['resource:lab/apps/v1/deployments/shop/web', 'lock:blocked', { ref, path: 'spec.replicas', holder: 'alice', token: lease.token, requester: 'bob', changed: ['spec.replicas'], enforced: true, at: expect.any(Number) }],
    ]);
    expect(await service.review(request({ userInfo: { username: 'alice' } }))).toEqual({ uid: 'u-1', allowed: true });
    expect(await service.review(request({ object: deployment(1, 'web:2') }))).toEqual({ uid: 'u-1', allowed: true });
    await service.onApplicationShutdown();
    const page = await store.history.query({ limit: 10, outcome: 'blocked-by-lease' });
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({ actor: 'bob', holder: 'alice', outside: true, action: 'update', ref, fromResourceVersion: '42', changes: [{ path: 'spec.replicas', before: 1, after: 5 }], error: { code: 403, message } });
  });

  it('admits with a warning in warn mode, and records no dry run', async () => {
    const { service, store, broadcasts } = await setUp('warn');
    const answer = await service.review(request({ dryRun: true }));
    expect(answer.allowed).toBe(true);
    expect(answer.warnings).toEqual([expect.stringMatching(/^spec\.replicas is being edited in Tandem by alice until \d\d:\d\d:\d\d \(lease \d+\); try again when it is released$/)]);
    await service.onApplicationShutdown();
    expect((await store.history.query({ limit: 10 })).entries).toEqual([]);
    expect(broadcasts).toEqual([]);
  });
});
