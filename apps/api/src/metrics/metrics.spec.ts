import type { JsonObject, ResourceRef } from '@tandem/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';
import { MetricsService } from './metrics.service.js';

const configMap: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'web-config' };

/** The value of one series (name with its labels, as exposed) in a Prometheus text page. */
function sample(page: string, series: string): number | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe(MetricsService.name, () => {
  let gateway: InProcessGateway;
  let base: string;

  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  const connect = (user: string) => gateway.connect(user);

  beforeAll(async () => {
    gateway = await startInProcessGateway();
    base = gateway.base;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('serves the Prometheus text format with the process defaults and the gateway at rest', async () => {
    const response = await fetch(`${base}/metrics`, { headers: { Accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('# TYPE tandem_process_cpu_user_seconds_total counter');
    expect(page).toContain('# TYPE tandem_nodejs_heap_size_used_bytes gauge');
    expect(page).toContain('# TYPE tandem_save_duration_seconds histogram');
    expect(sample(page, 'tandem_store_info{backend="memory"}')).toBe(1);
    expect(sample(page, 'tandem_kube_contexts{state="ok"}')).toBe(1);
    expect(sample(page, 'tandem_kube_contexts{state="unreachable"}')).toBe(0);
    expect(sample(page, 'tandem_connected_sockets')).toBe(0);
    expect(sample(page, 'tandem_open_resources')).toBe(0);
    for (const outcome of ['applied', 'dry-run', 'blocked-stale', 'blocked-locked', 'rejected-by-cluster', 'invalid']) expect(sample(page, `tandem_saves_total{outcome="${outcome}"}`)).toBe(0);
    for (const outcome of ['granted', 'locked', 'other']) expect(sample(page, `tandem_lease_acquisitions_total{outcome="${outcome}"}`)).toBe(0);
    for (const outcome of ['granted', 'locked', 'other']) expect(sample(page, `tandem_lease_acquire_duration_seconds_count{outcome="${outcome}"}`)).toBe(0);
  });

  it('counts what two editors of one resource do: sockets, joins, lease outcomes, announcements and saves', async () => {
    const [alice, bob] = [await connect('alice'), await connect('bob')];
    const joined = await alice.request('resource:join', { ref: configMap });
    await bob.request('resource:join', { ref: configMap });
    const heardGrant = new Promise<void>((resolve) => bob.on('lock:changed', (event) => event.acquired.length > 0 && resolve()));

    const lease = await alice.request('lock:acquire', { ref: configMap, path: 'data.LOG_LEVEL' });
    expect((await bob.requestAck('lock:acquire', { ref: configMap, path: 'data.LOG_LEVEL' })).ok).toBe(false);
    expect((await bob.requestAck('lock:acquire', { ref: configMap, path: 'data[' })).ok).toBe(false);
    await heardGrant;
    const edited = (key: string, value: string): JsonObject => ({ ...joined.object, data: { ...(joined.object['data'] as JsonObject), [key]: value } });
    const blocked = await bob.requestAck('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited('LOG_LEVEL', 'trace') });
    expect(blocked.ok ? 'applied' : blocked.error.code).toBe('locked');
    await alice.request('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited('LOG_LEVEL', 'debug') });

    const page = await scrape();
    expect(sample(page, 'tandem_connected_sockets')).toBe(2);
    expect(sample(page, 'tandem_open_resources')).toBe(1);
    expect(sample(page, 'tandem_resource_sessions')).toBe(2);
    expect(sample(page, 'tandem_shared_watches')).toBe(1);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="granted"}')).toBe(1);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="locked"}')).toBe(1);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="other"}')).toBe(1);
    expect(sample(page, 'tandem_lease_announcements_total')).toBeGreaterThanOrEqual(1);
    expect(sample(page, 'tandem_saves_total{outcome="applied"}')).toBe(1);
    expect(sample(page, 'tandem_saves_total{outcome="blocked-locked"}')).toBe(1);
    expect(sample(page, 'tandem_save_duration_seconds_count{result="ok"}')).toBe(1);
    expect(sample(page, 'tandem_save_duration_seconds_count{result="locked"}')).toBe(1);
    expect(sample(page, 'tandem_socket_requests_total{event="resource:join",result="ok"}')).toBe(2);
    expect(sample(page, 'tandem_socket_requests_total{event="lock:acquire",result="bad-request"}')).toBe(1);
    // No resource or user name reaches a label.
    expect(page).not.toMatch(/web-config|alice|bob|LOG_LEVEL/);
    expect(lease.lease.owner).toBe('alice');

    alice.close();
    bob.close();
    await expect.poll(async () => sample(await scrape(), 'tandem_connected_sockets'), { timeout: 15_000 }).toBe(0);
    const after = await scrape();
    expect(sample(after, 'tandem_open_resources')).toBe(0);
    expect(sample(after, 'tandem_shared_watches')).toBe(0);
  });
});
