import type { JsonObject, ResourceRef } from '@tandem/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';

const webRef: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

describe('what a session may lease and save', () => {
  let gateway: InProcessGateway;

  beforeAll(async () => {
    gateway = await startInProcessGateway();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('refuses a save from a session that has not joined the resource, writing nothing', async () => {
    const alice = await gateway.connect('alice');
    const bob = await gateway.connect('bob');
    const view = await bob.request('resource:join', { ref: webRef });
    const edited = { ...view.object, metadata: { ...(view.object['metadata'] as JsonObject), labels: { by: 'alice' } } };
    const ack = await alice.requestAck('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: edited });
    expect(ack).toMatchObject({ ok: false, error: { code: 'not-joined', message: expect.stringContaining('nothing was saved') } });
    expect((await bob.request('resource:join', { ref: webRef })).resourceVersion).toBe(view.resourceVersion);
  });

  it('refuses leases on whole sections and on status, and grants one on a field inside spec', async () => {
    const alice = await gateway.connect('alice');
    await alice.request('resource:join', { ref: webRef });
    for (const path of ['metadata', 'spec', 'status', 'status.replicas', 'status.conditions[type=Available].status']) {
      const ack = await alice.requestAck('lock:acquire', { ref: webRef, path });
      expect(ack, path).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/cannot be leased/) } });
    }
    const granted = await alice.request('lock:acquire', { ref: webRef, path: 'spec.replicas' });
    expect(granted.lease.path).toBe('spec.replicas');
    const { leases } = await alice.request('resource:join', { ref: webRef });
    expect(leases.map((lease) => lease.path)).toEqual(['spec.replicas']);
  });

  it('answers a save that changes only status with "nothing was written" and why, instead of "saved"', async () => {
    const carol = await gateway.connect('carol');
    const view = await carol.request('resource:join', { ref: webRef });
    const status = (view.object['status'] as JsonObject | undefined) ?? {};
    const edited = { ...view.object, status: { ...status, replicas: 42 } };
    const ack = await carol.requestAck('resource:save', { ref: webRef, baseResourceVersion: view.resourceVersion, object: edited });
    expect(ack).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('Nothing was written: the only changes are in status'), details: { statusOnly: true } } });
    const after = await carol.request('resource:join', { ref: webRef });
    expect(after.resourceVersion).toBe(view.resourceVersion);
    expect((after.object['status'] as JsonObject | undefined)?.['replicas']).not.toBe(42);
  });
});
