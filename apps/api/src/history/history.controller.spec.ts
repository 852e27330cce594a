import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';

const configMap: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'web-config' };
const secret: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'secrets', namespace: 'shop', name: 'web-credentials' };

describe(HistoryController.name, () => {
  let app: NestExpressApplication;
  let base: string;
  let workDir: string;
  let client: TandemClient;

  const history = (query: string, user = 'admin'): Promise<Response> => fetch(`${base}/api/history${query}`, { headers: { 'X-Tandem-User': user } });

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tandem-history-spec-'));
    await mkdir(join(workDir, 'web'), { recursive: true });
    await writeFile(join(workDir, 'web', 'index.html'), '<!doctype html><title>Tandem</title>');
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', TANDEM_SANDBOX_KUBECONFIG: join(workDir, 'sandbox.kubeconfig'), TANDEM_WEB_DIST: join(workDir, 'web'), TANDEM_ADMINS: 'admin' });
    app = await createApp(config, createLogger('silent'));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    client = new TandemClient({ url: base, user: 'alice', reconnection: false });
    await client.connected();

    // Three attempts by alice in the in-process store: an applied ConfigMap save, a stale one, and a Secret save.
    const joined = await client.request('resource:join', { ref: configMap });
    const edited = (object: JsonObject, key: string, value: string): JsonObject => ({ ...object, data: { ...(object['data'] as JsonObject), [key]: value } });
    await client.request('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited(joined.object, 'LOG_LEVEL', 'debug') });
    await client.requestAck('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: edited(joined.object, 'FEATURE', 'on') });
    const secretJoined = await client.request('resource:join', { ref: secret });
    await client.request('resource:save', { ref: secret, baseResourceVersion: secretJoined.resourceVersion, object: edited(secretJoined.object, 'password', 'c2VjcmV0LWFnYWlu') });
    await app.get(HistoryService).settled();
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
    await rm(workDir, { recursive: true, force: true });
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
    expect(await admin.json()).toEqual({ user: 'admin', admin: true });
    const alice = await access('alice');
    expect(alice.status).toBe(200);
    expect(await alice.json()).toEqual({ user: 'alice', admin: false });
    expect((await fetch(`${base}/api/history-access`)).status).toBe(401);
  });
});
