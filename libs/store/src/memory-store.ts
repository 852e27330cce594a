/**
 * The in-process store: the embedded single-gateway default. Every method does its work
 * synchronously before resolving, which makes each one atomic within the process, the
 * same guarantee the Redis adapter gets from its Lua scripts.
 */
import { overlaps, resourceKey, type FieldPath, type Lease, type PresenceSession, type PresenceSummary, type ResourceRef } from '@tandem/sync';
import { systemClock, type Clock } from './clock.js';
import { assertSessionId, assertTtl } from './errors.js';
import {
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
import { ancestorPaths } from './lease-paths.js';
import type { HistoryRetention } from './history-ports.js';

export interface MemoryStoreOptions {
  /** Default the real time; tests pass one they move by hand, so expiry is checked without waiting. */
  readonly clock?: Clock;
  readonly historyRetention?: HistoryRetention;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.clock ?? systemClock;
  return {
    leases: new MemoryLeaseStore(clock),
    presence: new MemoryPresenceStore(clock),
    history: new MemoryHistoryStore(clock, options.historyRetention),
    close: () => Promise.resolve(),
  };
}

interface ResourceLeases {
  readonly ref: ResourceRef;
  readonly key: string;
  /** By path. */
  readonly leases: Map<FieldPath, Lease>;
  /** Held paths under each of their ancestors, so a path's descendants are one lookup. */
  readonly below: Map<FieldPath, Set<FieldPath>>;
  /** Held paths by session id. */
  readonly bySession: Map<string, Set<FieldPath>>;
  /** No lease here lapses before this time; once it passes, one sweep drops what lapsed. */
  sweepAt: number;
}

/**
 * Leases indexed so that a grant, renewal or release looks at the path, its ancestors and its
 * descendants only. Every lease of a resource is read by `list`, and by a sweep once the
 * resource's earliest expiry has passed (one per lease lifetime or so, not one per call).
 */
class MemoryLeaseStore implements LeaseStore {
  private readonly resources = new Map<string, ResourceLeases>();
  /** By session id: the keys of the resources where it holds leases. */
  private readonly sessions = new Map<string, Set<string>>();
  private lastToken = 0;

  constructor(private readonly clock: Clock) {}

  async acquire(request: LeaseRequest): Promise<LeaseGrant> {
    assertTtl(request.ttlMs);
    assertSessionId(request.sessionId);
    const now = this.clock.now();
    const resource = this.resource(request.ref, now) ?? this.create(request.ref);
    for (const lease of this.overlapping(resource, request.path)) {
      if (lease.sessionId !== request.sessionId) return { granted: false, holder: lease };
    }
    const lease: Lease = {
      ref: request.ref,
      path: request.path,
      owner: request.owner,
      sessionId: request.sessionId,
      token: resource.leases.get(request.path)?.token ?? ++this.lastToken,
      expiresAt: now + request.ttlMs,
    };
    this.add(resource, lease);
    return { granted: true, lease };
  }

  async renew(request: LeaseRenewal): Promise<Lease | undefined> {
    assertTtl(request.ttlMs);
    const now = this.clock.now();
    const resource = this.resource(request.ref, now);
    const current = resource?.leases.get(request.path);
    if (!resource || !current || current.token !== request.token || current.sessionId !== request.sessionId) return undefined;
    const renewed: Lease = { ...current, expiresAt: now + request.ttlMs };
    this.add(resource, renewed);
    return renewed;
  }

  async release(request: LeaseRelease): Promise<boolean> {
    const resource = this.resource(request.ref, this.clock.now());
    const current = resource?.leases.get(request.path);
    if (!resource || !current || current.token !== request.token || current.sessionId !== request.sessionId) return false;
    this.remove(resource, current);
    return true;
  }

  async releaseSession(sessionId: string): Promise<Lease[]> {
    const now = this.clock.now();
    const released: Lease[] = [];
    for (const key of [...(this.sessions.get(sessionId) ?? [])]) {
      const resource = this.resources.get(key);
      if (resource) released.push(...this.releaseWhere(this.sweepIfDue(resource, now), sessionId, () => true));
    }
    return released;
  }

  async releasePaths(ref: ResourceRef, sessionId: string, paths: readonly FieldPath[]): Promise<Lease[]> {
    const resource = this.resource(ref, this.clock.now());
    if (!resource) return [];
    return this.releaseWhere(resource, sessionId, (path) => paths.some((saved) => overlaps(path, saved)));
  }

  async list(ref: ResourceRef): Promise<Lease[]> {
    const resource = this.resource(ref, this.clock.now());
    return resource ? [...resource.leases.values()].sort(byPath) : [];
  }

  async blocking(ref: ResourceRef, paths: readonly FieldPath[], sessionId: string): Promise<Lease[]> {
    const resource = this.resource(ref, this.clock.now());
    if (!resource) return [];
    const blocking = new Map<FieldPath, Lease>();
    for (const path of paths) {
      for (const lease of this.overlapping(resource, path)) if (lease.sessionId !== sessionId) blocking.set(lease.path, lease);
    }
    return [...blocking.values()].sort(byPath);
  }

  /** The resource's leases with the lapsed ones dropped, or undefined when it holds none. */
  private resource(ref: ResourceRef, now: number): ResourceLeases | undefined {
    const resource = this.resources.get(resourceKey(ref));
    return resource && this.sweepIfDue(resource, now).leases.size > 0 ? resource : undefined;
  }

  private create(ref: ResourceRef): ResourceLeases {
    const resource: ResourceLeases = { ref, key: resourceKey(ref), leases: new Map(), below: new Map(), bySession: new Map(), sweepAt: Infinity };
    this.resources.set(resource.key, resource);
    return resource;
  }

  private sweepIfDue(resource: ResourceLeases, now: number): ResourceLeases {
    if (now < resource.sweepAt) return resource;
    let next = Infinity;
    for (const lease of [...resource.leases.values()]) {
      if (lease.expiresAt <= now) this.remove(resource, lease);
      else next = Math.min(next, lease.expiresAt);
    }
    resource.sweepAt = next;
    return resource;
  }

  /** Leases on `path` itself, on its ancestors and on its descendants. */
  private *overlapping(resource: ResourceLeases, path: FieldPath): Generator<Lease> {
    for (const candidate of [path, ...ancestorPaths(path)]) {
      const lease = resource.leases.get(candidate);
      if (lease) yield lease;
    }
    for (const candidate of resource.below.get(path) ?? []) {
      const lease = resource.leases.get(candidate);
      if (lease) yield lease;
    }
  }

  /** Ends the session's leases on the resource whose path passes `matches`; returns them sorted by path. */
  private releaseWhere(resource: ResourceLeases, sessionId: string, matches: (path: FieldPath) => boolean): Lease[] {
    const released: Lease[] = [];
    for (const path of [...(resource.bySession.get(sessionId) ?? [])]) {
      const lease = resource.leases.get(path);
      if (lease && matches(path)) {
        this.remove(resource, lease);
        released.push(lease);
      }
    }
    return released.sort(byPath);
  }

  /** Stores a lease; one already on its path is the same session's (acquire denies any other), so the indexes stand. */
  private add(resource: ResourceLeases, lease: Lease): void {
    const replaces = resource.leases.has(lease.path);
    resource.leases.set(lease.path, lease);
    resource.sweepAt = Math.min(resource.sweepAt, lease.expiresAt);
    if (replaces) return;
    for (const ancestor of ancestorPaths(lease.path)) setOf(resource.below, ancestor).add(lease.path);
    setOf(resource.bySession, lease.sessionId).add(lease.path);
    setOf(this.sessions, lease.sessionId).add(resource.key);
  }

  private remove(resource: ResourceLeases, lease: Lease): void {
    resource.leases.delete(lease.path);
    for (const ancestor of ancestorPaths(lease.path)) deleteFrom(resource.below, ancestor, lease.path);
    if (deleteFrom(resource.bySession, lease.sessionId, lease.path)) deleteFrom(this.sessions, lease.sessionId, resource.key);
    if (resource.leases.size === 0) this.resources.delete(resource.key);
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

/** Deletes `value` from the set under `key`, and the set once empty; says whether it emptied. */
function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set) return false;
  set.delete(value);
  if (set.size > 0) return false;
  map.delete(key);
  return true;
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

  constructor(private readonly clock: Clock) {}

  async upsert(ref: ResourceRef, session: PresenceSession, ttlMs: number): Promise<'joined' | 'updated'> {
    assertTtl(ttlMs);
    assertSessionId(session.sessionId);
    const key = resourceKey(ref);
    const resource = this.resources.get(key) ?? { ref, sessions: new Map<string, PresenceRecord>() };
    this.resources.set(key, resource);
    const change = resource.sessions.has(session.sessionId) ? 'updated' : 'joined';
    resource.sessions.set(session.sessionId, { session, expiresAt: this.clock.now() + ttlMs });
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
    return resource ? this.live(resource, this.clock.now()) : [];
  }

  async summary(context: string): Promise<PresenceSummary> {
    const now = this.clock.now();
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

  async expire(now: number = this.clock.now()): Promise<PresenceEntry[]> {
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
