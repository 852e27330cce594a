/**
 * What an operator sees of one built gateway with Redis: Prometheus metrics after real editing
 * (a join, a lease race, a save), readiness that follows Redis through a TCP proxy the test cuts,
 * and a clean stop while Redis is gone.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject, LockChanged, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { ClientPool } from './support/clients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './support/gateway.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { eventually, waitUntil } from './support/wait.js';

const configMap: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'web-config' };

interface Readiness {
  readonly status: number;
  readonly body: { status: string; checks: Record<string, string> };
}

let redisProxy: TcpProxy;
let gateway: RunningGateway;
const clients = new ClientPool();
const connect = (user: string): Promise<TandemClient> => clients.connect(gateway.url, user);

async function scrape(): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one series (name and labels as exposed), or undefined when the page lacks it. */
function sample(page: string, series: string): number | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function readiness(): Promise<Readiness> {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

/** Reads until `accept` holds; a timeout names the last value read. */
async function readUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, description: string): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(
      async () => {
        last = await read();
        return accept(last) ? { value: last } : undefined;
      },
      description,
      30_000,
    ).then(({ value }) => value);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last: ${JSON.stringify(last)}`);
  }
}

const readinessBecomes = (status: number, description: string): Promise<Readiness> => readUntil(readiness, (answer) => answer.status === status, description);

beforeAll(async () => {
  redisProxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
  gateway = await startGateway({ env: { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, TANDEM_REDIS_PREFIX: `tandem-observability-${randomUUID().slice(0, 8)}` } });
  await readinessBecomes(200, 'the gateway reached Redis at start');
});

afterAll(async () => {
  clients.closeAll();
  await gateway?.stop();
  await redisProxy?.close();
});

describe('GET /metrics', () => {
  it('counts a join, a lease race and a save the way the editors saw them', async () => {
    const before = await scrape();
    expect(sample(before, 'tandem_store_info{backend="redis"}')).toBe(1);
    expect(sample(before, 'tandem_kube_contexts{state="ok"}')).toBe(1);
    expect(sample(before, 'tandem_connected_sockets')).toBe(0);
    expect(before).toContain('# TYPE tandem_process_resident_memory_bytes gauge');

    const [alice, bob] = [await connect('alice'), await connect('bob')];
    const joined = await alice.request('resource:join', { ref: configMap });
    // Every lease announcement the room gets, as bob (in the room throughout) hears them.
    const announcements: LockChanged[] = [];
    bob.on('lock:changed', (event) => announcements.push(event));
    await bob.request('resource:join', { ref: configMap });

    const lease = await alice.request('lock:acquire', { ref: configMap, path: 'data.LOG_LEVEL' });
    const refused = await bob.requestAck('lock:acquire', { ref: configMap, path: 'data' });
    expect(refused.ok ? 'granted' : refused.error.code).toBe('locked');
    const data = joined.object['data'] as JsonObject;
    const saved = await alice.request('resource:save', { ref: configMap, baseResourceVersion: joined.resourceVersion, object: { ...joined.object, data: { ...data, LOG_LEVEL: 'debug' } } });
    expect(saved.changes.map((change) => change.path)).toEqual(['data.LOG_LEVEL']);
    // The save ends alice's lease on the field it changed; the room hears of the grant and of the end.
    await waitUntil(() => announcements.some((event) => event.released.some((ended) => ended.token === lease.lease.token)), 'bob heard the lease end');

    const page = await scrape();
    expect(sample(page, 'tandem_connected_sockets')).toBe(2);
    expect(sample(page, 'tandem_open_resources')).toBe(1);
    expect(sample(page, 'tandem_resource_sessions')).toBe(2);
    expect(sample(page, 'tandem_shared_watches')).toBe(1);
    expect(sample(page, 'tandem_watch_relists_total{reason="expired"}')).toBe(0);
    expect(sample(page, 'tandem_watch_reconnects_total')).toBe(0);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="granted"}')).toBe(1);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="locked"}')).toBe(1);
    expect(sample(page, 'tandem_lease_acquisitions_total{outcome="other"}')).toBe(0);
    expect(sample(page, 'tandem_lease_acquire_duration_seconds_count{outcome="granted"}')).toBe(1);
    expect(sample(page, 'tandem_lease_acquire_duration_seconds_bucket{le="+Inf",outcome="locked"}')).toBe(1);
    expect(sample(page, 'tandem_lease_announcements_total')).toBe(announcements.length);
    expect(sample(page, 'tandem_saves_total{outcome="applied"}')).toBe(1);
    expect(sample(page, 'tandem_saves_total{outcome="blocked-stale"}')).toBe(0);
    expect(sample(page, 'tandem_save_duration_seconds_count{result="ok"}')).toBe(1);
    expect(sample(page, 'tandem_save_duration_seconds_bucket{le="+Inf",result="ok"}')).toBe(1);
    expect(sample(page, 'tandem_socket_requests_total{event="resource:join",result="ok"}')).toBe(2);
    // Labels stay bounded: no resource, field or user names.
    expect(page).not.toMatch(/web-config|LOG_LEVEL|alice|bob/);

    alice.close();
    bob.close();
    const after = await readUntil(scrape, (text) => sample(text, 'tandem_connected_sockets') === 0, 'the gateway saw both sockets go');
    expect(sample(after, 'tandem_open_resources')).toBe(0);
  });
});

describe('GET /readyz', () => {
  it('turns 503 naming the store while Redis does not answer, and 200 once it does again; /healthz stays 200', async () => {
    expect(await readiness()).toEqual({ status: 200, body: { status: 'ok', checks: { sandbox: 'up', store: 'up' } } });

    redisProxy.suspend();
    const down = await readinessBecomes(503, 'Redis was cut off');
    expect(down.body).toEqual({ status: 'unavailable', checks: { sandbox: 'up', store: 'down' } });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

    redisProxy.resume();
    const back = await readinessBecomes(200, 'Redis came back');
    expect(back.body).toEqual({ status: 'ok', checks: { sandbox: 'up', store: 'up' } });
  });
});

describe('while Redis does not answer', () => {
  it('answers requests that need the store with unavailable before the client gives up, keeps the socket, and grants again once Redis is back', async () => {
    const alice = await connect('alice');
    await alice.request('resource:join', { ref: configMap });

    redisProxy.suspend();
    try {
      await readinessBecomes(503, 'Redis was cut off');
      const refused = await alice.requestAck('lock:acquire', { ref: configMap, path: 'data.OUTAGE' });
      expect(refused.ok ? 'granted' : { code: refused.error.code, message: refused.error.message }).toEqual({
        code: 'unavailable',
        message: expect.stringMatching(/^lock:acquire: the shared store \(Redis\) did not answer .*; try again in a moment$/),
      });
      // The answer is the gateway's own 'unavailable', not the client's request timeout: the store gave up first.
      expect(alice.socket.connected).toBe(true);
    } finally {
      redisProxy.resume();
    }

    await readinessBecomes(200, 'Redis came back');
    const { lease } = await alice.request('lock:acquire', { ref: configMap, path: 'data.OUTAGE' });
    expect(lease).toMatchObject({ path: 'data.OUTAGE', owner: 'alice' });
    await alice.request('lock:release', { ref: configMap, path: lease.path, token: lease.token });
  });
});

describe('stopping', () => {
  it('exits 0 on SIGINT with clients joined and leasing, without an error on the way out', async () => {
    const busy = await startGateway({ env: { REDIS_URL: 'redis://127.0.0.1:6379', TANDEM_REDIS_PREFIX: `tandem-stop-${randomUUID().slice(0, 8)}` } });
    const crowd: TandemClient[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const client = new TandemClient({ url: busy.url, user: `stopper${i}`, reconnection: false });
        crowd.push(client);
        await client.connected();
        await client.request('resource:join', { ref: configMap });
        await client.request('lock:acquire', { ref: configMap, path: `metadata.annotations.stop${i}` });
      }
      const exited = new Promise<void>((resolve) => busy.process.once('exit', () => resolve()));
      busy.process.kill('SIGINT');
      await exited;
    } finally {
      for (const client of crowd) client.close();
      await busy.stop();
    }
    expect({ code: busy.process.exitCode, signal: busy.process.signalCode, output: busy.output().slice(-1500) }).toMatchObject({ code: 0, signal: null });
    expect(busy.output()).not.toMatch(/Connection is closed|Unhandled|Error:/);
  });


  it('exits 0 on SIGTERM while Redis refuses connections, without waiting for it', async () => {
    // A gateway that never reached Redis: its adapter's subscriptions wait in the client's offline queue.
    await redisProxy.close();
    const cutOff = await startGateway({ env: { REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, TANDEM_SANDBOX: 'off' } });
    try {
      const ready = await fetch(`${cutOff.url}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 503, body: { status: 'unavailable', checks: { store: 'down' } } });
    } finally {
      await cutOff.stop();
    }
    // stop() sends SIGKILL after 5 s: a shutdown waiting for Redis would end with that signal.
    expect({ code: cutOff.process.exitCode, signal: cutOff.process.signalCode }).toEqual({ code: 0, signal: null });
  });
});
