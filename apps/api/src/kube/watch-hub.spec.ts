import { KubeConfig } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import type { JsonObject } from '@tandem/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './kube-client.js';
import { changeManager, latestManager, WatchHub, type HubChange, type WatchSource, type WatchTarget } from './watch-hub.js';
import type { KubeObject } from './kube.schemas.js';

/**
 * A real KubeClient behind a switch: `cut()` ends the live watch stream and holds every new
 * list or watch until `restore()`, the way a network outage looks to the gateway.
 */
class SwitchableSource implements WatchSource {
  private online = true;
  private waiting: (() => void)[] = [];
  private streams = new Set<() => void>();
  lists = 0;

  constructor(private readonly client: KubeClient) {}

  async list(...args: Parameters<KubeClient['list']>): ReturnType<KubeClient['list']> {
    await this.reachable();
    this.lists++;
    return this.client.list(...args);
  }

  async watch(...args: Parameters<KubeClient['watch']>): ReturnType<KubeClient['watch']> {
    await this.reachable();
    const stop = await this.client.watch(...args);
    this.streams.add(stop);
    return () => {
      this.streams.delete(stop);
      stop();
    };
  }

  cut(): void {
    this.online = false;
    for (const stop of [...this.streams]) stop();
    this.streams.clear();
  }

  restore(): void {
    this.online = true;
    for (const resume of this.waiting.splice(0)) resume();
  }

  private reachable(): Promise<void> {
    return this.online ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

let sandbox: Sandbox;
let source: SwitchableSource;
let hub: WatchHub;
let changes: HubChange[];

const target: WatchTarget = { context: 'lab', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop' };
const CM = '/api/v1/namespaces/shop/configmaps';

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(JSON.stringify(json));
  return json;
}

const rvOf = (object: Record<string, unknown>): string => String((object['metadata'] as Record<string, unknown>)['resourceVersion']);

/** Waits for a condition; the bound only ends a hung test. */
const until = (condition: () => boolean, what: string): Promise<void> =>
  vi.waitFor(
    () => {
      if (!condition()) throw new Error(`Timed out waiting until ${what}`);
    },
    { timeout: 15_000, interval: 10 },
  );

const seen = (name: string): HubChange[] => changes.filter((change) => change.resource.ref.name === name);

beforeAll(async () => {
  sandbox = await startSandbox({ seed: true });
});
afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(sandbox.kubeconfig({ context: 'lab' }));
  source = new SwitchableSource(new KubeClient('lab', kubeConfig));
  hub = new WatchHub(() => source, { initialBackoffMs: 20, maxBackoffMs: 200 });
  changes = [];
  hub.onChange((change) => changes.push(change));
});
afterEach(() => {
  hub.close();
  source.restore();
});

describe(WatchHub.name, () => {
  it('shares one watch between subscribers and stops it with the last one', async () => {
    const first = await hub.retain(target);
    await hub.retain(target);
    expect(hub.size).toBe(1);
    expect(source.lists).toBe(1);
    expect(first.get('shop', 'web-config')).toMatchObject({ data: expect.any(Object) });
    hub.release(target);
    expect(hub.size).toBe(1);
    hub.release(target);
    expect(hub.size).toBe(0);
  });

  it('reports a change with its paths, its version, the newest manager, and list and resource keys', async () => {
    await api('POST', `${CM}?fieldManager=setup`, { metadata: { name: 'live' }, data: { a: '1' } });
    await hub.retain(target);
    const patched = await api('PATCH', `${CM}/live?fieldManager=kubectl-edit`, { data: { a: '2' } });
    await until(() => seen('live').length > 0, 'the change arrived');
    const [change] = seen('live');
    expect(change?.resource).toMatchObject({ type: 'MODIFIED', resourceVersion: rvOf(patched), manager: 'kubectl-edit', statusOnly: false });
    expect(change?.resource.paths).toEqual(expect.arrayContaining(['data.a', 'metadata.resourceVersion']));
    expect(change?.resourceKey).toBe('lab//v1/configmaps/shop/live');
    expect(change?.listKey).toBe('lab//v1/configmaps/shop');
    expect(change?.list).toMatchObject({ type: 'MODIFIED', name: 'live', namespace: 'shop', resourceVersion: rvOf(patched) });
  });

  it('after 410 Expired relists and reports exactly what changed while it was cut off, in version order', async () => {
    await api('POST', CM, { metadata: { name: 'edited' }, data: { v: '0' } });
    await api('POST', CM, { metadata: { name: 'untouched' }, data: { v: '0' } });
    await api('POST', CM, { metadata: { name: 'removed' }, data: {} });
    await hub.retain(target);

    source.cut();
    await api('PATCH', `${CM}/edited`, { data: { v: '1' } });
    const lastEdit = await api('PATCH', `${CM}/edited`, { data: { v: '2' } });
    const added = await api('POST', CM, { metadata: { name: 'appeared' } });
    await api('DELETE', `${CM}/removed`);
    sandbox.trimHistory();
    source.restore();

    await until(() => seen('removed').length > 0 && seen('appeared').length > 0 && seen('edited').length > 0, 'the relist reported the gap');
    expect(seen('edited').map((change) => [change.resource.type, change.resource.resourceVersion])).toEqual([['MODIFIED', rvOf(lastEdit)]]);
    expect(seen('appeared').map((change) => [change.resource.type, change.resource.resourceVersion])).toEqual([['ADDED', rvOf(added)]]);
    expect(seen('removed').map((change) => change.resource.type)).toEqual(['DELETED']);
    expect(seen('untouched')).toEqual([]);
    expect(source.lists).toBe(2);
    // One relist, for 410; a stream or two (a resume may start from the old version before it hears 410).
    expect(hub.stats().relists).toEqual({ expired: 1, error: 0, failed: 0, restart: 0 });
    expect(hub.stats().reconnects).toBeGreaterThanOrEqual(1);
    const versions = changes.map((change) => Number(change.resource.resourceVersion));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);

    // The watch runs again from the relist's version.
    const later = await api('PATCH', `${CM}/edited`, { data: { v: '3' } });
    await until(() => seen('edited').length === 2, 'a later change arrived');
    expect(seen('edited')[1]?.resource.resourceVersion).toBe(rvOf(later));
  });

  it('resumes a broken stream from its last version without repeating or skipping one', async () => {
    await api('POST', CM, { metadata: { name: 'steady' }, data: { n: '0' } });
    await hub.retain(target);
    const before = await api('PATCH', `${CM}/steady`, { data: { n: '1' } });
    await until(() => seen('steady').length === 1, 'the first change arrived');

    source.cut();
    const during = [await api('PATCH', `${CM}/steady`, { data: { n: '2' } }), await api('PATCH', `${CM}/steady`, { data: { n: '3' } })];
    source.restore();
    await until(() => seen('steady').length === 3, 'the missed changes were replayed');
    expect(seen('steady').map((change) => change.resource.resourceVersion)).toEqual([before, ...during].map(rvOf));
    expect(source.lists).toBe(1);
    expect(hub.stats()).toEqual({ relists: { expired: 0, error: 0, failed: 0, restart: 0 }, reconnects: 1 });
  });

  it('rejects a subscription whose initial list fails and keeps no watch for it', async () => {
    await expect(hub.retain({ ...target, resource: 'spaceships' })).rejects.toThrow();
    expect(hub.size).toBe(0);
  });
});

describe(latestManager.name, () => {
  const withEntries = (entries: JsonObject[]): KubeObject => ({ metadata: { name: 'x', managedFields: entries } });

  it('picks the entry with the newest time, else the last one', () => {
    expect(
      latestManager(
        withEntries([
          { manager: 'kubectl-edit', time: '2025-01-02T00:00:00Z' },
          { manager: 'controller', time: '2025-01-01T00:00:00Z' },
        ]),
      ),
    ).toBe('kubectl-edit');
    expect(latestManager(withEntries([{ manager: 'a' }, { manager: 'b' }]))).toBe('b');
    expect(latestManager({ metadata: { name: 'x' } })).toBeUndefined();
  });
});

describe(changeManager.name, () => {
  const entry = (manager: string, fields: JsonObject, operation = 'Update'): JsonObject => ({ manager, operation, time: '2025-01-02T10:00:00Z', fieldsV1: fields });
  const withEntries = (entries: JsonObject[]): KubeObject => ({ metadata: { name: 'x', managedFields: entries } });

  it('names the manager whose entry the write added or changed, even when times tie to the second', () => {
    // As a real API server sorts them: by manager, so Tandem's entry comes last on a tie.
    const saved = withEntries([entry('tandem', { 'f:metadata': { 'f:labels': {} } })]);
    const edited = withEntries([entry('kubectl-edit', { 'f:spec': { 'f:replicas': {} } }), entry('tandem', { 'f:metadata': { 'f:labels': {} } })]);
    expect(latestManager(edited)).toBe('tandem');
    expect(changeManager(saved, edited)).toBe('kubectl-edit');

    const editedAgain = withEntries([entry('kubectl-edit', { 'f:spec': { 'f:replicas': {} } }), entry('tandem', { 'f:metadata': { 'f:labels': {}, 'f:annotations': {} } })]);
    expect(changeManager(edited, editedAgain)).toBe('tandem');
  });

  it('falls back to the newest entry when no entry changed, and without a previous version', () => {
    const same = withEntries([entry('a', {}), entry('b', {})]);
    expect(changeManager(same, same)).toBe('b');
    expect(changeManager(undefined, same)).toBe('b');
  });
});
