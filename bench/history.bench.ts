/**
 * The edit history: page queries over 10,000 entries in the Redis store (as in production) and in
 * the in-process store, newest page, deep cursors, a user filter and one resource's history.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryStore, createRedisStore, type HistoryQuery, type HistoryRecord, type Store } from '@tandem/store';
import type { ResourceRef } from '@tandem/sync';
import { ms, percentiles, type BenchRow, type BenchSection } from './types.js';

const ENTRIES = 10_000;
const QUERIES = 300;
const LIMIT = 50;
const TARGET_MS = 50;

const resources: ResourceRef[] = Array.from({ length: 40 }, (_, i) => ({ context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: `app-${i}` }));
const users = ['alice', 'bob', 'carol', 'dave', 'kubectl-edit'];

function entry(i: number): HistoryRecord {
  const ref = resources[i % resources.length] ?? resources[0];
  if (ref === undefined) throw new Error('no resources');
  return {
    actor: users[i % users.length] ?? 'alice',
    outside: i % users.length === 4,
    ref,
    action: 'save',
    outcome: i % 7 === 0 ? 'blocked-stale' : 'applied',
    fromResourceVersion: String(i),
    toResourceVersion: String(i + 1),
    changes: [
      { path: 'spec.template.spec.containers[name=web].image', op: 'replace', before: `registry.example.com/web:1.${i}`, after: `registry.example.com/web:1.${i + 1}` },
      { path: `metadata.annotations["example.com/change-${i % 10}"]`, op: 'add', after: `change ${i}` },
    ],
  };
}

async function measure(store: Store, label: string): Promise<BenchRow[]> {
  for (let i = 0; i < ENTRIES; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => store.history.append(entry(i + j))));
  // Cursors spread over the whole log, so deep pages are timed as well as the newest.
  const cursors: string[] = [];
  let page = await store.history.query({ limit: 1_000 });
  while (page.nextCursor !== undefined) {
    cursors.push(page.nextCursor);
    page = await store.history.query({ limit: 1_000, cursor: page.nextCursor });
  }
  const shapes: [string, (i: number) => HistoryQuery][] = [
    ['newest page', () => ({ limit: LIMIT })],
    ['page at a deep cursor', (i) => ({ limit: LIMIT, cursor: cursors[i % cursors.length] ?? '0-0' })],
    ['page filtered by user', (i) => ({ limit: LIMIT, user: users[i % users.length] ?? 'alice', cursor: cursors[i % cursors.length] ?? '0-0' })],
    ["one resource's page", (i) => ({ limit: LIMIT, context: 'sandbox', resource: 'deployments', namespace: 'shop', name: resources[i % resources.length]?.name ?? 'app-0' })],
  ];
  const rows: BenchRow[] = [];
  for (const [name, queryOf] of shapes) {
    for (let i = 0; i < 20; i++) await store.history.query(queryOf(i));
    const samples: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const started = performance.now();
      await store.history.query(queryOf(i));
      samples.push(performance.now() - started);
    }
    const { p50, p99 } = percentiles(samples);
    rows.push({ name: `${label}: ${name}, p50`, value: ms(p50) });
    rows.push({ name: `${label}: ${name}, p99`, value: ms(p99), target: `p99 < ${TARGET_MS} ms`, pass: p99 < TARGET_MS });
  }
  return rows;
}

export async function run(): Promise<BenchSection> {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `tandem-bench-${randomUUID()}`;
  const retention = { maxEntries: 20_000, maxEntriesPerResource: 1_000, maxAgeMs: 3_600_000 };
  const redisStore = createRedisStore({ url, prefix, historyRetention: retention });
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await measure(redisStore, 'Redis')));
  } finally {
    await redisStore.close();
    const admin = new Redis(url);
    const keys = await admin.keys(`{${prefix}}:*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  }
  rows.push(...(await measure(createMemoryStore({ historyRetention: retention }), 'in-process')));
  return {
    title: 'Edit history',
    method: `${ENTRIES.toLocaleString('en')} entries over ${resources.length} Deployments and ${users.length} actors; ${QUERIES} timed page queries of ${LIMIT} entries per shape after 20 warm-up queries, one client, the local Redis.`,
    rows,
  };
}
