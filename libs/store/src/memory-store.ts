/**
 * The in-process store: the embedded single-gateway default. Every method does its work
 * synchronously before resolving, which makes each one atomic within the process, the
 * same guarantee the Redis adapter gets from its Lua scripts.
 */
import { overlaps, resourceKey, type FieldPath, type Lease, type PresenceSession, type PresenceSummary, type ResourceRef } from '@tandem/sync';
import {
  assertSessionId,
  assertTtl,
  blockingAmong,
  byPath,
  byUserThenSession,
  summarize,
  type LeaseGrant,
  type LeaseRelease,
  type LeaseRenewal,
  type LeaseRequest,
  type LeaseStore,
  type PresenceEntry,
  type PresenceStore,
  type Store,
} from './ports.js';
import { MemoryHistoryStore } from './history-memory.js';
import type { HistoryRetention } from './history-ports.js';

export interface MemoryStoreOptions {
  /** Epoch milliseconds; injectable so tests can move time without waiting. */
  readonly clock?: () => number;
  readonly historyRetention?: HistoryRetention;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.clock ?? Date.now;
  return {
    leases: new MemoryLeaseStore(clock),
    presence: new MemoryPresenceStore(clock),
    history: new MemoryHistoryStore(clock, options.historyRetention),
    close: () => Promise.resolve(),
  };
}

interface ResourceLeases {
  readonly ref: ResourceRef;
  /** By path. */
  readonly leases: Map<FieldPath, Lease>;
}

class MemoryLeaseStore implements LeaseStore {
  private readonly resources = new Map<string, ResourceLeases>();
  private lastToken = 0;

  constructor(private readonly clock: () => number) {}

  async acquire(request: LeaseRequest): Promise<LeaseGrant> {
    assertTtl(request.ttlMs);
    assertSessionId(request.sessionId);
    const now = this.clock();
    const resource = this.resource(request.ref, true);
    let own: Lease | undefined;
    for (const lease of this.live(resource, now)) {
      if (lease.sessionId !== request.sessionId) {
        if (overlaps(lease.path, request.path)) return { granted: false, holder: lease };
      } else if (lease.path === request.path) {
        own = lease;
      }
    }
    const lease: Lease = {
      ref: request.ref,
      path: request.path,
      owner: request.owner,
      sessionId: request.sessionId,
      token: own?.token ?? ++this.lastToken,
      expiresAt: now + request.ttlMs,
    };
    resource.leases.set(request.path, lease);
    // live() forgets a resource whose leases all lapsed; this grant brings it back.
    this.resources.set(resourceKey(request.ref), resource);
    return { granted: true, lease };
  }

  async renew(request: LeaseRenewal): Promise<Lease | undefined> {
    assertTtl(request.ttlMs);
    const now = this.clock();
    const resource = this.resource(request.ref, false);
    const current = resource && this.live(resource, now).find((lease) => lease.path === request.path);
    if (!resource || !current || current.token !== request.token || current.sessionId !== request.sessionId) return undefined;
    const renewed: Lease = { ...current, expiresAt: now + request.ttlMs };
    resource.leases.set(request.path, renewed);
    return renewed;
  }

  async release(request: LeaseRelease): Promise<boolean> {
    const resource = this.resource(request.ref, false);
    const current = resource && this.live(resource, this.clock()).find((lease) => lease.path === request.path);
    if (!resource || !current || current.token !== request.token || current.sessionId !== request.sessionId) return false;
    this.drop(resource, [current]);
    return true;
  }

  async releaseSession(sessionId: string): Promise<Lease[]> {
    const now = this.clock();
    const released: Lease[] = [];
    for (const resource of [...this.resources.values()]) {
      const mine = this.live(resource, now).filter((lease) => lease.sessionId === sessionId);
      this.drop(resource, mine);
      released.push(...mine);
    }
    return released;
  }

  async releasePaths(ref: ResourceRef, sessionId: string, paths: readonly FieldPath[]): Promise<Lease[]> {
    const resource = this.resource(ref, false);
    if (!resource) return [];
    const saved = this.live(resource, this.clock()).filter((lease) => lease.sessionId === sessionId && paths.some((path) => overlaps(lease.path, path)));
    this.drop(resource, saved);
    return saved;
  }

  async list(ref: ResourceRef): Promise<Lease[]> {
    const resource = this.resource(ref, false);
    return resource ? this.live(resource, this.clock()) : [];
  }

  async blocking(ref: ResourceRef, paths: readonly FieldPath[], sessionId: string): Promise<Lease[]> {
    return blockingAmong(await this.list(ref), paths, sessionId);
  }

  private resource(ref: ResourceRef, create: true): ResourceLeases;
  private resource(ref: ResourceRef, create: false): ResourceLeases | undefined;
  private resource(ref: ResourceRef, create: boolean): ResourceLeases | undefined {
    const key = resourceKey(ref);
    let resource = this.resources.get(key);
    if (!resource && create) {
      resource = { ref, leases: new Map() };
      this.resources.set(key, resource);
    }
    return resource;
  }

  /** Live leases sorted by path; lapsed ones are dropped on the way. */
  private live(resource: ResourceLeases, now: number): Lease[] {
    this.drop(
      resource,
      [...resource.leases.values()].filter((lease) => lease.expiresAt <= now),
    );
    return [...resource.leases.values()].sort(byPath);
  }

  private drop(resource: ResourceLeases, leases: readonly Lease[]): void {
    for (const lease of leases) resource.leases.delete(lease.path);
    if (resource.leases.size === 0) this.resources.delete(resourceKey(resource.ref));
  }
}

interface PresenceRecord {
  readonly session: PresenceSession;
  readonly expiresAt: number;
}

interface ResourcePresence {
  readonly ref: ResourceRef;
  /** By session id. */
  readonly sessions: Map<string, PresenceRecord>;
}

class MemoryPresenceStore implements PresenceStore {
  private readonly resources = new Map<string, ResourcePresence>();

  constructor(private readonly clock: () => number) {}

  async upsert(ref: ResourceRef, session: PresenceSession, ttlMs: number): Promise<'joined' | 'updated'> {
    assertTtl(ttlMs);
    assertSessionId(session.sessionId);
    const key = resourceKey(ref);
    const resource = this.resources.get(key) ?? { ref, sessions: new Map<string, PresenceRecord>() };
    this.resources.set(key, resource);
    const change = resource.sessions.has(session.sessionId) ? 'updated' : 'joined';
    resource.sessions.set(session.sessionId, { session, expiresAt: this.clock() + ttlMs });
    return change;
  }

  async remove(ref: ResourceRef, sessionId: string): Promise<PresenceSession | undefined> {
    const resource = this.resources.get(resourceKey(ref));
    const record = resource?.sessions.get(sessionId);
    if (!resource || !record) return undefined;
    this.drop(resource, sessionId);
    return record.session;
  }

  async list(ref: ResourceRef): Promise<PresenceSession[]> {
    const resource = this.resources.get(resourceKey(ref));
    return resource ? this.live(resource, this.clock()) : [];
  }

  async summary(context: string): Promise<PresenceSummary> {
    const now = this.clock();
    const entries: PresenceEntry[] = [];
    for (const resource of this.resources.values()) {
      if (resource.ref.context !== context) continue;
      for (const session of this.live(resource, now)) entries.push({ ref: resource.ref, session });
    }
    return summarize(context, entries);
  }

  async removeSession(sessionId: string): Promise<PresenceEntry[]> {
    const removed: PresenceEntry[] = [];
    for (const resource of [...this.resources.values()]) {
      const record = resource.sessions.get(sessionId);
      if (!record) continue;
      this.drop(resource, sessionId);
      removed.push({ ref: resource.ref, session: record.session });
    }
    return removed;
  }

  async expire(now: number = this.clock()): Promise<PresenceEntry[]> {
    const expired: PresenceEntry[] = [];
    for (const resource of [...this.resources.values()]) {
      for (const [sessionId, record] of [...resource.sessions]) {
        if (record.expiresAt > now) continue;
        this.drop(resource, sessionId);
        expired.push({ ref: resource.ref, session: record.session });
      }
    }
    return expired;
  }

  private live(resource: ResourcePresence, now: number): PresenceSession[] {
    return [...resource.sessions.values()]
      .filter((record) => record.expiresAt > now)
      .map((record) => record.session)
      .sort(byUserThenSession);
  }

  private drop(resource: ResourcePresence, sessionId: string): void {
    resource.sessions.delete(sessionId);
    if (resource.sessions.size === 0) this.resources.delete(resourceKey(resource.ref));
  }
}
