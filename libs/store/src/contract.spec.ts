import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { overlaps, type FieldPath, type Lease, type PresenceSession, type ResourceRef } from '@tandem/sync';
import { ManualClock } from './clock.js';
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import { redisServerTime } from './redis-time.js';
import type { Store } from './ports.js';

/** One store under test, plus more handles on the same data as other gateways would hold. */
interface StoreHarness {
  readonly store: Store;
  /** Another gateway's store sharing this one's data (own connection for Redis). */
  peer(): Store;
  /** The store's own time, the one its leases and presence lapse by. */
  now(): Promise<number>;
  /** Resolves once the store's time has reached `at`, so whatever lapses by then has lapsed. */
  reach(at: number): Promise<void>;
  dispose(): Promise<void>;
}

const web: ResourceRef = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const api: ResourceRef = { ...web, name: 'api' };
const prodWeb: ResourceRef = { ...web, context: 'prod' };

const TTL = 15_000;
const SHORT_TTL = 200;

function session(sessionId: string, user: string, color = '#e91e63', extra: Partial<PresenceSession> = {}): PresenceSession {
  return { sessionId, user, color, idle: false, updatedAt: 1_700_000_000_000, ...extra };
}

export function describeStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`${name} store contract`, () => {
    let harness: StoreHarness;
    let leases: Store['leases'];
    let presence: Store['presence'];

    beforeEach(async () => {
      harness = await open();
      leases = harness.store.leases;
      presence = harness.store.presence;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    const acquire = (path: FieldPath, sessionId: string, owner = `user-${sessionId}`, ref = web, ttlMs = TTL) => leases.acquire({ ref, path, owner, sessionId, ttlMs });

    async function grantedLease(path: FieldPath, sessionId: string, ttlMs = TTL): Promise<Lease> {
      const grant = await acquire(path, sessionId, `user-${sessionId}`, web, ttlMs);
      if (!grant.granted) throw new Error(`expected ${path} to be granted to ${sessionId}, held by ${grant.holder.sessionId}`);
      return grant.lease;
    }

    describe('leases', () => {
      it('grants a free field and lists it with its owner and a future expiry', async () => {
        const before = await harness.now();
        const lease = await grantedLease('spec.replicas', 's1');
        expect(lease).toMatchObject({ ref: web, path: 'spec.replicas', owner: 'user-s1', sessionId: 's1' });
        expect(lease.expiresAt).toBeGreaterThan(before);
        expect(await leases.list(web)).toEqual([lease]);
        expect(await leases.list(api)).toEqual([]);
      });

      it('denies the same field to another session and names the holder', async () => {
        const lease = await grantedLease('spec.replicas', 's1');
        const denied = await acquire('spec.replicas', 's2');
        expect(denied).toEqual({ granted: false, holder: lease });
      });

      it('denies a descendant of a leased field and an ancestor of one', async () => {
        const template = await grantedLease('spec.template', 's1');
        expect(await acquire('spec.template.spec.containers[name=web].image', 's2')).toEqual({ granted: false, holder: template });

        const image = await grantedLease('metadata.labels.app', 's3');
        expect(await acquire('metadata', 's4')).toEqual({ granted: false, holder: image });
        expect(await acquire('metadata.labels', 's4')).toEqual({ granted: false, holder: image });
      });

      it('treats list items addressed by merge key as descendants', async () => {
        const containers = await grantedLease('spec.template.spec.containers', 's1');
        expect(await acquire('spec.template.spec.containers[name=web]', 's2')).toEqual({ granted: false, holder: containers });
      });

      it('grants siblings that merely share a prefix, and the same path on another resource', async () => {
        await grantedLease('spec.replicas', 's1');
        expect((await acquire('spec.replicasX', 's2')).granted).toBe(true);
        expect((await acquire('spec.replicas', 's2', 'user-s2', api)).granted).toBe(true);
        expect((await acquire('spec.selector', 's2')).granted).toBe(true);
        expect((await leases.list(web)).map((lease) => lease.path)).toEqual(['spec.replicas', 'spec.replicasX', 'spec.selector']);
      });

      it('lets one session hold overlapping fields, since it only collides with itself', async () => {
        await grantedLease('spec.template', 's1');
        expect((await acquire('spec.template.spec.containers[name=web].image', 's1')).granted).toBe(true);
      });

      it('issues strictly increasing tokens across resources and sessions', async () => {
        const tokens: number[] = [];
        for (const [path, sessionId, ref] of [
          ['spec.replicas', 's1', web],
          ['spec.paused', 's2', web],
          ['spec.replicas', 's3', api],
          ['metadata.labels', 's1', web],
        ] as const) {
          const grant = await acquire(path, sessionId, 'someone', ref);
          expect(grant.granted).toBe(true);
          if (grant.granted) tokens.push(grant.lease.token);
        }
        expect(tokens.every((token, i) => i === 0 || token > (tokens[i - 1] ?? Infinity))).toBe(true);
      });

      it('re-acquiring its own field extends the lease and keeps the token', async () => {
        const first = await grantedLease('spec.replicas', 's1');
        const again = await grantedLease('spec.replicas', 's1', 2 * TTL);
        expect(again.token).toBe(first.token);
        expect(again.expiresAt).toBeGreaterThan(first.expiresAt);
        expect(await leases.list(web)).toEqual([again]);
      });

      it('a new grant after release gets a larger token', async () => {
        const first = await grantedLease('spec.replicas', 's1');
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: first.token, sessionId: 's1' })).toBe(true);
        const second = await grantedLease('spec.replicas', 's2');
        expect(second.token).toBeGreaterThan(first.token);
      });

      it('renews only with the right token and session', async () => {
        const lease = await grantedLease('spec.replicas', 's1');
        expect(await leases.renew({ ref: web, path: 'spec.replicas', token: lease.token + 1, sessionId: 's1', ttlMs: 2 * TTL })).toBeUndefined();
        expect(await leases.renew({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's2', ttlMs: 2 * TTL })).toBeUndefined();
        expect(await leases.renew({ ref: web, path: 'spec.paused', token: lease.token, sessionId: 's1', ttlMs: 2 * TTL })).toBeUndefined();
        const renewed = await leases.renew({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's1', ttlMs: 2 * TTL });
        expect(renewed).toMatchObject({ path: 'spec.replicas', token: lease.token, sessionId: 's1', owner: 'user-s1' });
        expect(renewed?.expiresAt).toBeGreaterThan(lease.expiresAt);
        expect(await leases.list(web)).toEqual([renewed]);
      });

      it('releases only with the right token and session', async () => {
        const lease = await grantedLease('spec.replicas', 's1');
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: lease.token + 1, sessionId: 's1' })).toBe(false);
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's2' })).toBe(false);
        expect(await leases.list(web)).toEqual([lease]);
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's1' })).toBe(true);
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's1' })).toBe(false);
        expect(await leases.list(web)).toEqual([]);
        expect((await acquire('spec.replicas', 's2')).granted).toBe(true);
      });

      it('a lapsed lease is no longer listed, renewable or blocking', async () => {
        const lease = await grantedLease('spec.replicas', 's1', SHORT_TTL);
        await grantedLease('spec.paused', 's1', TTL);
        await harness.reach(lease.expiresAt);
        expect((await leases.list(web)).map((live) => live.path)).toEqual(['spec.paused']);
        expect(await leases.blocking(web, ['spec.replicas'], 's2')).toEqual([]);
        expect(await leases.renew({ ref: web, path: 'spec.replicas', token: lease.token, sessionId: 's1', ttlMs: TTL })).toBeUndefined();
        const taken = await acquire('spec', 's2');
        expect(taken.granted).toBe(false);
        expect((await acquire('spec.replicas', 's2')).granted).toBe(true);
      });

      it('releaseSession ends every lease of a disconnected session and nothing else', async () => {
        await grantedLease('spec.replicas', 's1');
        await acquire('metadata.labels', 's1', 'user-s1', api);
        const other = await grantedLease('spec.paused', 's2');
        const released = await leases.releaseSession('s1');
        expect(released.map((lease) => `${lease.ref.name} ${lease.path}`).sort()).toEqual(['api metadata.labels', 'web spec.replicas']);
        expect(await leases.list(web)).toEqual([other]);
        expect(await leases.list(api)).toEqual([]);
        expect(await leases.releaseSession('s1')).toEqual([]);
      });

      it('releasePaths ends the session leases on saved fields, ancestors and descendants included', async () => {
        await grantedLease('spec.template.spec.containers[name=web].image', 's1');
        await grantedLease('metadata.labels', 's1');
        await grantedLease('spec.replicas', 's1');
        const other = await grantedLease('spec.paused', 's2');
        const released = await leases.releasePaths(web, 's1', ['spec.template', 'metadata.labels.app', 'spec.paused']);
        expect(released.map((lease) => lease.path)).toEqual(['metadata.labels', 'spec.template.spec.containers[name=web].image']);
        expect((await leases.list(web)).map((lease) => lease.path)).toEqual(['spec.paused', 'spec.replicas']);
        expect(await leases.list(web)).toContainEqual(other);
      });

      it('blocking() returns live leases of other sessions overlapping the saved paths', async () => {
        const mine = await grantedLease('spec.replicas', 's1');
        const template = await grantedLease('spec.template', 's2');
        const labels = await grantedLease('metadata.labels', 's3');
        expect(mine.sessionId).toBe('s1');
        expect(await leases.blocking(web, ['spec.replicas', 'spec.template.spec.containers[name=web].image'], 's1')).toEqual([template]);
        expect(await leases.blocking(web, ['metadata'], 's1')).toEqual([labels]);
        expect(await leases.blocking(web, ['spec.replicas'], 's2')).toEqual([mine]);
        expect(await leases.blocking(web, ['spec.paused', 'status'], 's1')).toEqual([]);
        expect(await leases.blocking(api, ['spec'], 's1')).toEqual([]);
      });

      it('a lapsed lease blocks neither its descendants nor its ancestors, and its session gets a new token after it', async () => {
        const template = await grantedLease('spec.template', 's1', SHORT_TTL);
        const labels = await grantedLease('metadata.labels.app', 's1', SHORT_TTL);
        const paused = await grantedLease('spec.paused', 's1', SHORT_TTL);
        await harness.reach(Math.max(template.expiresAt, labels.expiresAt, paused.expiresAt));
        expect((await acquire('spec.template.spec.containers[name=web].image', 's2')).granted).toBe(true);
        expect((await acquire('metadata', 's3')).granted).toBe(true);
        const again = await grantedLease('spec.paused', 's1');
        expect(again.token).toBeGreaterThan(paused.token);
        expect((await leases.list(web)).map((lease) => lease.path)).toEqual(['metadata', 'spec.paused', 'spec.template.spec.containers[name=web].image']);
      });

      it('keys with dots inside quotes and list items overlap only by whole segments', async () => {
        const x = await grantedLease('metadata.annotations["example.com/x"]', 's1');
        expect((await acquire('metadata.annotations["example.com/xy"]', 's2')).granted).toBe(true);
        expect((await acquire('metadata.annotations["example.com"]', 's3')).granted).toBe(true);
        expect(await acquire('metadata.annotations["example.com/x"].nested', 's4')).toEqual({ granted: false, holder: x });
        expect((await acquire('metadata.annotations', 's4')).granted).toBe(false);
        expect(await leases.blocking(web, ['metadata.annotations["example.com/x"]'], 's5')).toEqual([x]);

        const container = await grantedLease('spec.template.spec.containers[name=web]', 's1');
        expect((await acquire('spec.template.spec.containers[name=web2]', 's2')).granted).toBe(true);
        expect((await acquire('spec.template.spec.containers[name=we]', 's3')).granted).toBe(true);
        expect(await acquire('spec.template.spec.containers[name=web].ports[containerPort=8080].protocol', 's4')).toEqual({ granted: false, holder: container });
      });

      it('the root path "" is the whole object: it overlaps every field, both ways', async () => {
        const replicas = await grantedLease('spec.replicas', 's1');
        expect(await acquire('', 's2')).toEqual({ granted: false, holder: replicas });
        expect(await leases.release({ ref: web, path: 'spec.replicas', token: replicas.token, sessionId: 's1' })).toBe(true);
        const root = await grantedLease('', 's2');
        expect(await acquire('status', 's1')).toEqual({ granted: false, holder: root });
        expect((await acquire('spec.replicas', 's2')).granted).toBe(true);
        expect(await leases.blocking(web, ['metadata.labels'], 's1')).toEqual([root]);
      });

      it('a session holding hundreds of fields may take the root above them all; another session may not', async () => {
        await Promise.all(Array.from({ length: 600 }, (_, i) => grantedLease(`metadata.annotations.note${i}`, 's1')));
        expect((await acquire('spec', 's2')).granted).toBe(true);
        expect((await acquire('metadata', 's1')).granted).toBe(true);
        expect((await acquire('', 's1')).granted).toBe(false);
        expect(await leases.releasePaths(web, 's2', ['spec'])).toHaveLength(1);
        expect((await acquire('', 's1')).granted).toBe(true);
        expect((await acquire('', 's2')).granted).toBe(false);
        expect(await leases.releaseSession('s1')).toHaveLength(602);
        expect(await leases.list(web)).toEqual([]);
      });

      it('a denial names a live holder even when many leases of other fields are live', async () => {
        for (let i = 0; i < 60; i++) await grantedLease(`metadata.annotations.note${i}`, `bystander-${i}`);
        const image = await grantedLease('spec.template.spec.containers[name=web].image', 's1');
        expect(await acquire('spec.template', 's2')).toEqual({ granted: false, holder: image });
        expect(await acquire('spec.template.spec.containers[name=web].image', 's2')).toEqual({ granted: false, holder: image });
        expect((await acquire('spec.template.spec.containers[name=sidecar].image', 's2')).granted).toBe(true);
        expect(await leases.list(web)).toHaveLength(62);
      });

      it('releaseSession and releasePaths leave alone a field the session held until it lapsed and another session took', async () => {
        const lapsed = await grantedLease('spec.replicas', 's1', SHORT_TTL);
        await harness.reach(lapsed.expiresAt);
        const taken = await grantedLease('spec.replicas', 's2');
        expect(await leases.releasePaths(web, 's1', ['spec'])).toEqual([]);
        expect(await leases.releaseSession('s1')).toEqual([]);
        expect(await leases.list(web)).toEqual([taken]);
      });

      it('blocking() names each blocking lease once, however many saved paths it overlaps', async () => {
        const template = await grantedLease('spec.template', 's2');
        expect(await leases.blocking(web, ['spec', 'spec.template', 'spec.template.spec.containers[name=web].image'], 's1')).toEqual([template]);
        expect(await leases.blocking(web, [], 's1')).toEqual([]);
      });

      it('exactly one of 50 concurrent acquirers of one field from several gateways wins', async () => {
        const gateways = [harness.store, harness.peer(), harness.peer(), harness.peer(), harness.peer()];
        const grants = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (gateways[i % gateways.length] ?? harness.store).leases.acquire({ ref: web, path: 'spec.replicas', owner: `user-${i}`, sessionId: `race-${i}`, ttlMs: TTL }),
          ),
        );
        const winners = grants.filter((grant) => grant.granted);
        expect(winners).toHaveLength(1);
        const winner = winners[0];
        for (const grant of grants) if (!grant.granted && winner?.granted) expect(grant.holder).toEqual(winner.lease);
        expect(await leases.list(web)).toHaveLength(1);
      });

      it('50 concurrent acquirers of overlapping fields are granted a pairwise non-overlapping set', async () => {
        const gateways = [harness.store, harness.peer(), harness.peer(), harness.peer()];
        const fields = [
          'spec',
          'spec.replicas',
          'spec.replicasX',
          'spec.template',
          'spec.template.metadata.labels',
          'spec.template.spec.containers[name=web]',
          'spec.template.spec.containers[name=web].image',
          'spec.template.spec.containers[name=sidecar].image',
          'metadata',
          'metadata.labels',
          'metadata.labels.app',
          'metadata.annotations',
        ];
        // A fixed-seed generator: random-looking but reproducible orders.
        let seed = 7;
        const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
        const grants = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (gateways[i % gateways.length] ?? harness.store).leases.acquire({ ref: web, path: fields[next() % fields.length] ?? 'spec', owner: `user-${i}`, sessionId: `race-${i}`, ttlMs: TTL }),
          ),
        );
        const granted = grants.flatMap((grant) => (grant.granted ? [grant.lease] : []));
        expect(granted.length).toBeGreaterThan(0);
        for (const [i, a] of granted.entries()) for (const b of granted.slice(i + 1)) expect(overlaps(a.path, b.path), `${a.path} vs ${b.path}`).toBe(false);
        for (const grant of grants) if (!grant.granted) expect(granted).toContainEqual(grant.holder);
        expect((await leases.list(web)).sort((a, b) => a.token - b.token)).toEqual(granted.sort((a, b) => a.token - b.token));
      });
    });

    describe('presence', () => {
      it('upserts sessions, reports joined then updated, and lists them', async () => {
        expect(await presence.upsert(web, session('tab-1', 'alice'), TTL)).toBe('joined');
        expect(await presence.upsert(web, session('tab-2', 'alice', '#e91e63', { field: 'spec.replicas' }), TTL)).toBe('joined');
        const moved = session('tab-1', 'alice', '#e91e63', { field: 'metadata.labels', selection: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 9 } });
        expect(await presence.upsert(web, moved, TTL)).toBe('updated');
        await presence.upsert(web, session('tab-9', 'bob', '#3f51b5', { idle: true }), TTL);
        expect(await presence.list(web)).toEqual([moved, session('tab-2', 'alice', '#e91e63', { field: 'spec.replicas' }), session('tab-9', 'bob', '#3f51b5', { idle: true })]);
        expect(await presence.list(api)).toEqual([]);
      });

      it('remove takes one session off one resource', async () => {
        await presence.upsert(web, session('tab-1', 'alice'), TTL);
        await presence.upsert(api, session('tab-1', 'alice'), TTL);
        expect(await presence.remove(web, 'tab-1')).toEqual(session('tab-1', 'alice'));
        expect(await presence.remove(web, 'tab-1')).toBeUndefined();
        expect(await presence.list(web)).toEqual([]);
        expect(await presence.list(api)).toEqual([session('tab-1', 'alice')]);
      });

      it('summary lists, per resource of a context, each user once with a colour', async () => {
        await presence.upsert(web, session('tab-1', 'alice', '#e91e63'), TTL);
        await presence.upsert(web, session('tab-2', 'alice', '#e91e63'), TTL);
        await presence.upsert(web, session('tab-3', 'bob', '#3f51b5'), TTL);
        await presence.upsert(api, session('tab-4', 'carol', '#4caf50'), TTL);
        await presence.upsert(prodWeb, session('tab-5', 'dave', '#ff9800'), TTL);
        expect(await presence.summary('sandbox')).toEqual({
          context: 'sandbox',
          resources: [
            { ref: api, users: [{ user: 'carol', color: '#4caf50' }] },
            {
              ref: web,
              users: [
                { user: 'alice', color: '#e91e63' },
                { user: 'bob', color: '#3f51b5' },
              ],
            },
          ],
        });
        expect(await presence.summary('prod')).toEqual({ context: 'prod', resources: [{ ref: prodWeb, users: [{ user: 'dave', color: '#ff9800' }] }] });
        await presence.remove(api, 'tab-4');
        expect((await presence.summary('sandbox')).resources.map((resource) => resource.ref.name)).toEqual(['web']);
        expect(await presence.summary('staging')).toEqual({ context: 'staging', resources: [] });
      });

      it('removeSession takes a disconnected tab off every resource', async () => {
        await presence.upsert(web, session('tab-1', 'alice'), TTL);
        await presence.upsert(api, session('tab-1', 'alice'), TTL);
        await presence.upsert(web, session('tab-2', 'bob'), TTL);
        const removed = await presence.removeSession('tab-1');
        expect(removed.map((entry) => `${entry.ref.name} ${entry.session.sessionId}`).sort()).toEqual(['api tab-1', 'web tab-1']);
        expect(await presence.list(web)).toEqual([session('tab-2', 'bob')]);
        expect(await presence.list(api)).toEqual([]);
        expect(await presence.removeSession('tab-1')).toEqual([]);
      });

      it('a session whose heartbeat lapsed disappears from lists and the summary, and expire() reports it once', async () => {
        const before = await harness.now();
        await presence.upsert(web, session('tab-dead', 'alice'), SHORT_TTL);
        await presence.upsert(web, session('tab-live', 'bob'), TTL);
        await presence.upsert(api, session('tab-dead-2', 'carol'), SHORT_TTL);
        // At a time before any upsert nothing has lapsed, however long the upserts took.
        expect(await presence.expire(before)).toEqual([]);
        await harness.reach((await harness.now()) + SHORT_TTL);
        expect(await presence.list(web)).toEqual([session('tab-live', 'bob')]);
        expect((await presence.summary('sandbox')).resources).toEqual([{ ref: web, users: [{ user: 'bob', color: '#e91e63' }] }]);
        const expired = await presence.expire();
        expect(expired.map((entry) => `${entry.ref.name} ${entry.session.sessionId}`).sort()).toEqual(['api tab-dead-2', 'web tab-dead']);
        expect(await presence.expire()).toEqual([]);
        expect(await presence.list(web)).toEqual([session('tab-live', 'bob')]);
      });

      it('a refreshed heartbeat keeps a session alive past its first expiry', async () => {
        await presence.upsert(web, session('tab-1', 'alice'), SHORT_TTL);
        expect(await presence.upsert(web, session('tab-1', 'alice'), TTL)).toBe('updated');
        await harness.reach((await harness.now()) + SHORT_TTL);
        expect(await presence.expire()).toEqual([]);
        expect(await presence.list(web)).toEqual([session('tab-1', 'alice')]);
      });

      it('sessions written by one gateway are seen and swept by another', async () => {
        const other = harness.peer();
        await other.presence.upsert(web, session('tab-1', 'alice'), TTL);
        expect(await presence.list(web)).toEqual([session('tab-1', 'alice')]);
        // A sweep at a time past the heartbeat, given explicitly, as a gateway's sweeper may.
        const lapsedAt = (await harness.now()) + TTL;
        expect((await presence.expire(lapsedAt)).map((entry) => entry.session.sessionId)).toEqual(['tab-1']);
        expect(await other.presence.list(web)).toEqual([]);
      });
    });

    it('rejects a non-positive TTL instead of granting a lease that is already dead', async () => {
      await expect(acquire('spec.replicas', 's1', 'alice', web, 0)).rejects.toThrow(/ttlMs must be a positive integer/);
      await expect(presence.upsert(web, session('tab-1', 'alice'), -5)).rejects.toThrow(/ttlMs must be a positive integer/);
    });
  });
}

describeStoreContract('in-memory', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const store = createMemoryStore({ clock });
  return Promise.resolve({
    store,
    peer: () => store,
    now: () => Promise.resolve(clock.now()),
    reach: (at) => {
      clock.advanceTo(at);
      return Promise.resolve();
    },
    dispose: () => store.close(),
  });
});

describeStoreContract('Redis', async () => {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `tandem-test-${randomUUID()}`;
  const store = createRedisStore({ url, prefix });
  const peers: ReturnType<typeof createRedisStore>[] = [];
  const clock = new Redis(url);
  return {
    store,
    now: () => redisServerTime(clock),
    // Leases and presence lapse by the Redis server's clock, which all gateways share so that their own skewed clocks never disagree on expiry; so this waits for that clock rather than injecting one.
    reach: (at) =>
      vi.waitFor(
        async () => {
          const now = await redisServerTime(clock);
          if (now < at) throw new Error(`Redis time ${now} has not reached ${at}`);
        },
        { timeout: 10_000, interval: 10 },
      ),
    peer: () => {
      const peer = createRedisStore({ url, prefix });
      peers.push(peer);
      return peer;
    },
    dispose: async () => {
      const admin = new Redis(url);
      try {
        const keys = await admin.keys(`{${prefix}}:*`);
        if (keys.length > 0) await admin.del(...keys);
      } finally {
        await admin.quit();
      }
      await Promise.all([store, ...peers].map((opened) => opened.close()));
      await clock.quit();
    },
  };
});
