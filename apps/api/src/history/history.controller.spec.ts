import type { JsonObject, ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';

const configMap: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'web-config' };
const secret: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'secrets', namespace: 'shop', name: 'web-credentials' };

describe(HistoryController.name, () => {
  let gateway: InProcessGateway;
  let base: string;
  let client: TandemClient;

  const history = (query: string, user = 'admin'): Promise<Response> => fetch(`${base}/api/history${query}`, { headers: { 'X-Tandem-User': user } });

  beforeAll(async () => {
    gateway = await startInProcessGateway({ TANDEM_ADMINS: 'admin' });
    base = gateway.base;
    client = await gateway.connect('alice');

    // Three attempts by alice in the in-process store: an applied ConfigMap save, a stale one, and a Secret save.
    const joined = await client.request('resource:join', { ref: configMap });
    const edited = (object: JsonObject, key: string, value: string): JsonObject => ({ ...object, data: { ...(object['data'] as JsonObject), [key]: value } });
    await client.request('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited(joined.object, 'LOG_LEVEL', 'debug') });
    await client.requestAck('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited(joined.object, 'FEATURE', 'on') });
    const secretJoined = await client.request('resource:join', { ref: secret });
    await client.request('resource:save', { ref: secret, baseResourceVersion: secretJoined.resourceVersion, object: edited(secretJoined.object, 'password', 'c2VjcmV0LWFnYWlu') });
    await gateway.app.get(HistoryService).settled();
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('lists save attempts newest first with outcomes and diffs, and filters by outcome and object', async () => {
    const page = (await (await history('?context=tandem-sandbox')).json()) as { entries: { actor: string; outcome: string; ref: ResourceRef; changes: unknown[] }[] };
    expect(page.entries.map((entry) => `${entry.ref.name} ${entry.outcome}`)).toEqual(['web-credentials applied', 'web-config blocked-stale', 'web-config applied']);
    expect(page.entries[2]).toMatchObject({ actor: 'alice', changes: [{ path: 'data.LOG_LEVEL', op: 'add', after: 'debug' }] });
    const stale = (await (await history('?outcome=blocked-stale')).json()) as { entries: unknown[] };
    expect(stale.entries).toHaveLength(1);
    const one = (await (await history('?context=tandem-sandbox&resource=configmaps&namespace=shop&name=web-config&limit=1')).json()) as { entries: { id: string }[]; nextCursor?: string };
    expect(one.entries).toHaveLength(1);
    const next = (await (await history(`?context=tandem-sandbox&resource=configmaps&namespace=shop&name=web-config&limit=1&cursor=${one.nextCursor ?? ''}`)).json()) as { entries: { id: string }[]; nextCursor?: string };
    expect(next.entries.map((entry) => entry.id)).not.toContain(one.entries[0]?.id);
    expect(next.nextCursor).toBeUndefined();
  });

  it('shows a Secret change only as hashes', async () => {
    const response = await history('?resource=secrets');
    const text = await response.text();
    expect(text).toContain('"redacted":true');
    expect(text).not.toContain('c2VjcmV0LWFnYWlu');
    expect(text).not.toContain(Buffer.from('not-a-real-password').toString('base64'));
  });

  it('exports a query as NDJSON and serves one entry by id', async () => {
    const exported = await history('/export?user=alice');
    expect(exported.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(lines).toHaveLength(3);
    const entry = await history(`/${lines[0]?.id ?? ''}`);
    expect(await entry.json()).toEqual(lines[0]);
    expect((await history('/1-0')).status).toBe(404);
  });

  it('refuses anonymous callers, non-admins and malformed queries with a clear error', async () => {
    expect((await fetch(`${base}/api/history`)).status).toBe(401);
    expect((await history('', 'alice')).status).toBe(403);
    const bad = await history('?limit=5000&since=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/epoch milliseconds or an RFC 3339 time|at most 1000/);
  });

  it('tells any named user whether they may read the history, without a 403', async () => {
    const access = (user: string) => fetch(`${base}/api/history-access`, { headers: { 'X-Tandem-User': user } });
    const admin = await access('admin');
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ user: 'admin', admin: true, contexts: 'all' });
    const alice = await access('alice');
    expect(alice.status).toBe(200);
    expect(await alice.json()).toEqual({ user: 'alice', admin: false, contexts: [] });
    expect((await fetch(`${base}/api/history-access`)).status).toBe(401);
  });
});
