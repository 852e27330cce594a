/**
 * The store ports: presence and field leases, each behind a small async interface with a
 * Redis adapter (several gateways) and an in-process adapter (one embedded gateway).
 * Both adapters pass the same contract suite (contract.spec.ts).
 */
import { resourceKey, type FieldPath, type Lease, type PresenceSession, type PresenceSummary, type ResourceRef } from '@tandem/sync';
import type { HistoryStore } from './history-ports.js';

export interface LeaseRequest {
  readonly ref: ResourceRef;
  readonly path: FieldPath;
  /** The user the lease is shown as held by. */
  readonly owner: string;
  /** The socket session (one browser tab) that holds the lease. */
  readonly sessionId: string;
  readonly ttlMs: number;
}

export type LeaseGrant = { readonly granted: true; readonly lease: Lease } | { readonly granted: false; readonly holder: Lease };

export interface LeaseRenewal {
  readonly ref: ResourceRef;
  readonly path: FieldPath;
  readonly token: number;
  readonly sessionId: string;
  readonly ttlMs: number;
}

export interface LeaseRelease {
  readonly ref: ResourceRef;
  readonly path: FieldPath;
  readonly token: number;
  readonly sessionId: string;
}

export interface LeaseStore {
  /**
   * Grants a lease unless a live lease of another session overlaps `path` (equal, ancestor or
   * descendant); a denial carries that holder. Re-acquiring a path the session already holds
   * extends it and keeps its token, so the client's token stays valid.
   */
  acquire(request: LeaseRequest): Promise<LeaseGrant>;
  /** Extends a live lease; `undefined` when the lease has lapsed or the token/session do not match. */
  renew(request: LeaseRenewal): Promise<Lease | undefined>;
  /** Ends a live lease; false when it was not live or the token/session do not match. */
  release(request: LeaseRelease): Promise<boolean>;
  /** Ends every lease of a session (on disconnect); returns the live ones it ended. */
  releaseSession(sessionId: string): Promise<Lease[]>;
  /** Ends the session's live leases on `ref` that overlap any of `paths` (after a save); returns them. */
  releasePaths(ref: ResourceRef, sessionId: string, paths: readonly FieldPath[]): Promise<Lease[]>;
  /** Live leases on the resource, sorted by path; lapsed leases are never returned. */
  list(ref: ResourceRef): Promise<Lease[]>;
  /** Live leases of OTHER sessions overlapping any of `paths`: what blocks a guarded save. */
  blocking(ref: ResourceRef, paths: readonly FieldPath[], sessionId: string): Promise<Lease[]>;
}

export interface PresenceEntry {
  readonly ref: ResourceRef;
  readonly session: PresenceSession;
}

export interface PresenceStore {
  /** Adds or refreshes a session on a resource until `ttlMs` from now; says whether it is new there. */
  upsert(ref: ResourceRef, session: PresenceSession, ttlMs: number): Promise<'joined' | 'updated'>;
  /** Removes a session from one resource; returns it when it was there. */
  remove(ref: ResourceRef, sessionId: string): Promise<PresenceSession | undefined>;
  /** Unexpired sessions on the resource, sorted by user then session id. */
  list(ref: ResourceRef): Promise<PresenceSession[]>;
  /** Who is in which resource of a context (unexpired sessions; one entry per user per resource). */
  summary(context: string): Promise<PresenceSummary>;
  /** Removes a session from every resource (on disconnect); returns what it removed. */
  removeSession(sessionId: string): Promise<PresenceEntry[]>;
  /**
   * Sweeps sessions whose heartbeat lapsed at `now` (default: the store's clock, Redis server
   * time for Redis) so a dead gateway's sessions vanish; returns them for broadcasting.
   */
  expire(now?: number): Promise<PresenceEntry[]>;
}

export interface Store {
  readonly leases: LeaseStore;
  readonly presence: PresenceStore;
  readonly history: HistoryStore;
  /** Releases connections the store opened itself. */
  close(): Promise<void>;
}

/** Sort orders shared by both adapters so callers see the same lists from either. */
export const byPath = (a: Lease, b: Lease): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
export const byUserThenSession = (a: PresenceSession, b: PresenceSession): number =>
  a.user < b.user ? -1 : a.user > b.user ? 1 : a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0;

/** Builds a context's summary from its live sessions, one entry per user per resource. */
export function summarize(context: string, entries: readonly PresenceEntry[]): PresenceSummary {
  const byResource = new Map<string, { ref: ResourceRef; users: Map<string, string> }>();
  for (const { ref, session } of [...entries].sort((a, b) => byUserThenSession(a.session, b.session))) {
    const key = resourceKey(ref);
    const resource = byResource.get(key) ?? { ref, users: new Map<string, string>() };
    if (!resource.users.has(session.user)) resource.users.set(session.user, session.color);
    byResource.set(key, resource);
  }
  const resources = [...byResource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { ref, users }]) => ({ ref, users: [...users.entries()].map(([user, color]) => ({ user, color })) }));
  return { context, resources };
}
