import { describe, expect, it } from 'vitest';
import type { ResourceRef } from '@tandem/sync';
import { ManualClock } from './clock.js';
import { createMemoryStore } from './memory-store.js';

const web: ResourceRef = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

describe('createMemoryStore', () => {
  it('stamps leases with the injected clock and lets them lapse exactly at expiresAt', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { leases } = createMemoryStore({ clock });
    const grant = await leases.acquire({ ref: web, path: 'spec.replicas', owner: 'alice', sessionId: 's1', ttlMs: 15_000 });
    expect(grant).toMatchObject({ granted: true, lease: { expiresAt: 1_700_000_015_000 } });

    clock.advance(14_999);
    expect((await leases.acquire({ ref: web, path: 'spec', owner: 'bob', sessionId: 's2', ttlMs: 15_000 })).granted).toBe(false);
    clock.advance(1);
    expect(await leases.list(web)).toEqual([]);
    expect((await leases.acquire({ ref: web, path: 'spec', owner: 'bob', sessionId: 's2', ttlMs: 15_000 })).granted).toBe(true);
  });

  it('a renewal every 5 s keeps a 15 s lease alive indefinitely', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { leases } = createMemoryStore({ clock });
    const grant = await leases.acquire({ ref: web, path: 'spec.replicas', owner: 'alice', sessionId: 's1', ttlMs: 15_000 });
    if (!grant.granted) throw new Error('the first lease must be granted');
    for (let beat = 0; beat < 10; beat++) {
      clock.advance(5_000);
      expect(await leases.renew({ ref: web, path: 'spec.replicas', token: grant.lease.token, sessionId: 's1', ttlMs: 15_000 })).toMatchObject({ token: grant.lease.token });
    }
    expect(await leases.blocking(web, ['spec.replicas'], 's2')).toHaveLength(1);
  });

  it('expire(now) sweeps presence by the given time, and by the clock without one', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { presence } = createMemoryStore({ clock });
    await presence.upsert(web, { sessionId: 'tab-1', user: 'alice', color: '#e91e63', idle: false, updatedAt: clock.now() }, 10_000);
    await presence.upsert(web, { sessionId: 'tab-2', user: 'bob', color: '#3f51b5', idle: false, updatedAt: clock.now() }, 30_000);
    expect(await presence.expire(clock.now() + 9_999)).toEqual([]);
    expect((await presence.expire(clock.now() + 10_000)).map((entry) => entry.session.user)).toEqual(['alice']);
    clock.advance(30_000);
    expect(await presence.list(web)).toEqual([]);
    expect((await presence.expire()).map((entry) => entry.session.user)).toEqual(['bob']);
  });
});
