import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ResourceRef } from '@tandem/sync';
import { ManualClock } from './clock.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import { redisServerTime } from './redis-time.js';
import type { HistoryEntry, HistoryQuery, HistoryRecord, HistoryRetention, HistoryStore } from './history-ports.js';
import type { Store } from './ports.js';

interface HistoryHarness {
  readonly store: Store;
  /** Another handle on the same history (a second gateway, or the gateway after a restart). */
  reopen(): Store;
  /** The store's own time, the one entries are stamped with and age by. */
  now(): Promise<number>;
  /** Resolves once the store's time has reached `at`. */
  reach(at: number): Promise<void>;
}

type OpenHistory = (retention?: HistoryRetention) => Promise<HistoryHarness>;

const web: ResourceRef = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const api: ResourceRef = { ...web, name: 'api' };
const prodWeb: ResourceRef = { ...web, context: 'prod' };
const node: ResourceRef = { context: 'sandbox', group: '', version: 'v1', resource: 'nodes', name: 'node-1' };

function record(actor: string, ref: ResourceRef = web, extra: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    actor,
    outside: false,
    ref,
    action: 'save',
    outcome: 'applied',
    fromResourceVersion: '10',
    toResourceVersion: '11',
    changes: [{ path: 'metadata.labels.team', op: 'add', after: actor }],
    ...extra,
  };
}

/** Every page of a query, following nextCursor, with a hook between pages. */
async function allPages(history: HistoryStore, query: Omit<HistoryQuery, 'cursor'>, between: () => Promise<void> = () => Promise.resolve()): Promise<HistoryEntry[]> {
  const seen: HistoryEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await history.query(cursor === undefined ? query : { ...query, cursor });
    seen.push(...page.entries);
    cursor = page.nextCursor;
    await between();
  } while (cursor !== undefined);
  return seen;
}

export function describeHistoryContract(name: string, open: OpenHistory): void {
  describe(`${name} history store contract`, () => {
    const opened: Store[] = [];
    const history = async (retention?: HistoryRetention): Promise<HistoryHarness> => {
      const harness = await open(retention);
      opened.push(harness.store);
      return harness;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('records entries with increasing ids and the recording time, and lists them newest first', async () => {
      const harness = await history();
      const { store } = harness;
      const before = await harness.now();
      const first = await store.history.append(record('alice'));
      const second = await store.history.append(record('bob', web, { outcome: 'blocked-stale', toResourceVersion: '12', error: { message: 'stale' } }));
      expect(first.at).toBeGreaterThanOrEqual(before);
      expect(second.at).toBeLessThanOrEqual(await harness.now());
      expect(first.id).not.toBe(second.id);
      expect(await store.history.query({ limit: 10 })).toEqual({ entries: [second, first] });
      expect(await store.history.get(first.id)).toEqual(first);
      expect(await store.history.get('1-0')).toBeUndefined();
      expect(await store.history.get('not-an-id')).toBeUndefined();
    });

    it('filters by context, namespace, resource and name, user, outcome and time', async () => {
      const { store } = await history();
      const a = await store.history.append(record('alice'));
      const b = await store.history.append(record('bob', api, { outcome: 'blocked-locked' }));
      const c = await store.history.append(record('kubectl-edit', prodWeb, { outside: true, action: 'update', outcome: 'observed' }));
      const d = await store.history.append(record('alice', node));
      const ids = async (query: Omit<HistoryQuery, 'limit'>) => (await store.history.query({ ...query, limit: 100 })).entries.map((entry) => entry.id);
      expect(await ids({ context: 'sandbox' })).toEqual([d.id, b.id, a.id]);
      expect(await ids({ namespace: 'shop' })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ namespace: '' })).toEqual([d.id]);
      expect(await ids({ context: 'sandbox', resource: 'deployments', namespace: 'shop', name: 'web' })).toEqual([a.id]);
      expect(await ids({ resource: 'deployments', name: 'web' })).toEqual([c.id, a.id]);
      expect(await ids({ context: 'sandbox', resource: 'nodes', namespace: '', name: 'node-1', group: '' })).toEqual([d.id]);
      expect(await ids({ context: 'sandbox', resource: 'nodes', namespace: '', name: 'node-1', group: 'apps' })).toEqual([]);
      expect(await ids({ user: 'alice' })).toEqual([d.id, a.id]);
      expect(await ids({ outcome: 'observed' })).toEqual([c.id]);
      expect(await ids({ since: b.at, until: c.at })).toEqual(expect.arrayContaining([b.id, c.id]));
      expect(await ids({ until: a.at - 1 })).toEqual([]);
      expect(await ids({ since: d.at + 1 })).toEqual([]);
    });

    it('pages by cursor and says when nothing older remains', async () => {
      const { store } = await history();
      const entries: HistoryEntry[] = [];
      for (let i = 0; i < 7; i++) entries.push(await store.history.append(record(i % 2 === 0 ? 'alice' : 'bob')));
      const newestFirst = [...entries].reverse();
      const first = await store.history.query({ limit: 3 });
      expect(first.entries).toEqual(newestFirst.slice(0, 3));
      expect(first.nextCursor).toBe(newestFirst[2]?.id);
      const alice = await allPages(store.history, { user: 'alice', limit: 2 });
      expect(alice.map((entry) => entry.id)).toEqual(newestFirst.filter((entry) => entry.actor === 'alice').map((entry) => entry.id));
      const last = await store.history.query({ limit: 7 });
      expect(last.nextCursor).toBeUndefined();
    });

    it('rejects a malformed cursor and a limit out of range', async () => {
      const { store } = await history();
      await expect(store.history.query({ limit: 10, cursor: 'abc' })).rejects.toThrow(/cursor must be a nextCursor/);
      await expect(store.history.query({ limit: 0 })).rejects.toThrow(/limit must be an integer from 1 to 1000/);
      await expect(store.history.query({ limit: 1_001 })).rejects.toThrow(/limit must be an integer from 1 to 1000/);
    });

    it('keeps at most maxEntries overall and maxEntriesPerResource per resource', async () => {
      const { store } = await history({ maxEntries: 5, maxEntriesPerResource: 2, maxAgeMs: 3_600_000 });
      const written: HistoryEntry[] = [];
      for (let i = 0; i < 4; i++) written.push(await store.history.append(record(`user-${i}`, web)));
      for (let i = 0; i < 3; i++) written.push(await store.history.append(record(`user-${i}`, api)));
      const all = await store.history.query({ limit: 100 });
      expect(all.entries.map((entry) => entry.id)).toEqual(written.slice(2).reverse().map((entry) => entry.id));
      const webOnly = await store.history.query({ context: 'sandbox', resource: 'deployments', namespace: 'shop', name: 'web', limit: 100 });
      expect(webOnly.entries.map((entry) => entry.actor)).toEqual(['user-3', 'user-2']);
      expect(await store.history.get(written[0]?.id ?? '')).toBeUndefined();
    });

    it('drops entries older than maxAgeMs on the next append', async () => {
      const harness = await history({ maxEntries: 100, maxEntriesPerResource: 100, maxAgeMs: 150 });
      const { store } = harness;
      const old = await store.history.append(record('alice'));
      await harness.reach(old.at + 151);
      const fresh = await store.history.append(record('bob'));
      expect((await store.history.query({ limit: 10 })).entries).toEqual([fresh]);
      expect(await store.history.get(old.id)).toBeUndefined();
    });

    it('appendOnce records an outside change once however many gateways report it', async () => {
      const harness = await history();
      const peer = harness.reopen();
      opened.push(peer);
      const change = record('kubectl-edit', web, { outside: true, action: 'update', outcome: 'observed' });
      const reports = await Promise.all([harness.store, peer, harness.store, peer].map((store) => store.history.appendOnce('web@12', 60_000, change)));
      expect(reports.filter((entry) => entry !== undefined)).toHaveLength(1);
      expect(await harness.store.history.appendOnce('web@13', 60_000, change)).toMatchObject({ actor: 'kubectl-edit' });
      expect((await peer.history.query({ limit: 10 })).entries).toHaveLength(2);
    });

    it('another handle on the same storage sees the same entries', async () => {
      const harness = await history();
      const entry = await harness.store.history.append(record('alice'));
      const other = harness.reopen();
      opened.push(other);
      expect(await other.history.get(entry.id)).toEqual(entry);
      expect((await other.history.query({ limit: 1 })).entries).toEqual([entry]);
    });

    it('pages through 10,000 entries in a stable order with no duplicates and no gaps, while new entries arrive', async () => {
      const { store } = await history({ maxEntries: 20_000, maxEntriesPerResource: 20_000, maxAgeMs: 3_600_000 });
      const written: string[] = [];
      for (let i = 0; i < 10_000; i += 500) {
        const batch = await Promise.all(Array.from({ length: 500 }, (_, j) => store.history.append(record(`user-${(i + j) % 7}`, (i + j) % 3 === 0 ? api : web))));
        written.push(...batch.map((entry) => entry.id));
      }
      let arrivals = 0;
      const pages = await allPages(store.history, { limit: 250 }, async () => {
        if (arrivals++ < 5) await store.history.append(record('late-comer'));
      });
      const ids = pages.map((entry) => entry.id);
      expect(new Set(ids).size).toBe(ids.length);
      const writtenIds = new Set(written);
      expect(ids.filter((id) => writtenIds.has(id))).toHaveLength(10_000);
      expect(ids).toHaveLength(10_000);
      const sortedNewestFirst = [...ids].sort((a, b) => {
        const [am = 0, as = 0] = a.split('-').map(Number);
        const [bm = 0, bs = 0] = b.split('-').map(Number);
        return bm - am || bs - as;
      });
      expect(ids).toEqual(sortedNewestFirst);
      // Entries that arrived mid-way are newer than the first page, so paging never shows them.
      expect(pages.some((entry) => entry.actor === 'late-comer')).toBe(false);
      const again = await allPages(store.history, { user: 'user-3', limit: 100 });
      expect(again.map((entry) => entry.id)).toEqual(ids.filter((_, i) => pages[i]?.actor === 'user-3'));
    }, 120_000);
  });
}

describeHistoryContract('in-memory', async (retention) => {
  const clock = new ManualClock(1_700_000_000_000);
  const store = createMemoryStore(retention === undefined ? { clock } : { clock, historyRetention: retention });
  return {
    store,
    reopen: () => store,
    now: () => Promise.resolve(clock.now()),
    reach: (at) => {
      clock.advanceTo(at);
      return Promise.resolve();
    },
  };
});

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefixes: string[] = [];
/** Reads the Redis server's time for the Redis harness. */
const redisClock = new Redis(url);
afterAll(async () => {
  await redisClock.quit();
});
describeHistoryContract('Redis', async (retention) => {
  const prefix = `tandem-test-${randomUUID()}`;
  prefixes.push(prefix);
  const options = { url, prefix, ...(retention === undefined ? {} : { historyRetention: retention }) };
  return {
    store: createRedisStore(options),
    reopen: () => createRedisStore(options),
    now: () => redisServerTime(redisClock),
    // Entries age by the Redis server's clock, shared by all gateways, so this waits for that clock rather than injecting one.
    reach: (at) =>
      vi.waitFor(
        async () => {
          const now = await redisServerTime(redisClock);
          if (now < at) throw new Error(`Redis time ${now} has not reached ${at}`);
        },
        { timeout: 10_000, interval: 10 },
      ),
  };
});

afterEach(async () => {
  const admin = new Redis(url);
  try {
    for (const prefix of prefixes.splice(0)) {
      const keys = await admin.keys(`{${prefix}}:*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  } finally {
    await admin.quit();
  }
});
