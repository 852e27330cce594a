import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { canonicalPath, failWith, leaseProblem, LockChangedSchema, parseResourceKey, resourceKey, rooms, type Ack, type AckFail, type FieldPath, type Lease, type LeaseEnded, type LeaseGrant, type LockChanged, type RequestResults, type ResourceRef } from '@tandem/sync';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { GatewayPeers, peerTopic } from '../socket/gateway-peers.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import type { TandemSocket } from '../socket/tandem-socket.js';
import { CollabStore } from '../store/store.module.js';


/** The canonical form of a requested path, or a bad-request ack naming the problem. */
function canonicalOrFail(event: string, path: string): { path: FieldPath } | { failed: AckFail } {
  try {
    return { path: canonicalPath(path) };
  } catch (error) {
    return { failed: failWith('bad-request', `${event}: "${path}" is not a field path: ${error instanceof Error ? error.message : String(error)}`) };
  }
}

/**
 * Lease changes of a resource are collected and sent to this gateway's sockets in its room as one
 * `lock:changed`: the first change after a quiet spell goes out ANNOUNCE_DELAY_MS later, once this
 * gateway has answered the lease requests it is working on (a crowd acquiring at once is one delta,
 * written to the room after their acks, not in between), but never more than ANNOUNCE_INTERVAL_MS
 * after it; and a busy resource gets at most one delta per ANNOUNCE_INTERVAL_MS. Each gateway sends
 * its own changes to its peers with the same delta, and they go into the peers' next delta to their
 * own sockets: so a client hears of every change once, in at most one delta per interval however
 * many gateways there are, and a change made on another gateway reaches it at most two intervals
 * later.
 */
const ANNOUNCE_DELAY_MS = 10;
const ANNOUNCE_INTERVAL_MS = 100;

/**
 * A lease gone from the store within this long of its expiry counts as lapsed (announced by the
 * sweep); one that went earlier was released, and its holder's gateway announced that. A release
 * this close to expiry is announced twice, which clients ignore.
 */
const CLOCK_SKEW_ALLOWANCE_MS = 1_000;

/** Lease changes made on this gateway, sent to the other gateways. */
const PEER_LEASE_CHANGES = peerTopic<LockChanged>('tandem:lock-changed', LockChangedSchema);

/** Grants and ends by token. */
interface Changes {
  readonly acquired: Map<number, LeaseGrant>;
  readonly released: Map<number, LeaseEnded>;
}

const noChanges = (): Changes => ({ acquired: new Map(), released: new Map() });

/** Lease changes of one resource waiting to be announced. */
interface PendingChange {
  readonly ref: ResourceRef;
  /** When the first of these changes was queued (Date.now()). */
  readonly since: number;
  /** Its delay is over: it goes out as soon as no lease request is in progress. */
  due: boolean;
  /** For this gateway's sockets: its own changes and its peers'. */
  readonly all: Changes;
  /** This gateway's own changes, for its peers. */
  readonly own: Changes;
  timer: NodeJS.Timeout | undefined;
}

const ended = (lease: Pick<Lease, 'path' | 'token'>): LeaseEnded => ({ path: lease.path, token: lease.token });
const grant = ({ path, owner, sessionId, token, expiresAt }: Lease): LeaseGrant => ({ path, owner, sessionId, token, expiresAt });

/**
 * Field leases (`lock:*`): short, renewable, atomic across gateways (the store decides), released
 * on save, leave and disconnect, and lapsing when their gateway dies. Changes go to the resource
 * room as `lock:changed` deltas (granted, ended); a joining client gets the full set in its
 * `resource:join` ack.
 */
@Injectable()
export class LocksService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LocksService.name);
  /** Resource key -> the leases the last sweep saw there, to notice leases that lapsed (nobody releases those). */
  private readonly seen = new Map<string, Lease[]>();
  /** Resource key -> changes not announced yet. */
  private readonly pending = new Map<string, PendingChange>();
  /** Resource key -> when this gateway last announced its changes (entries older than the interval are dropped). */
  private readonly lastAnnounced = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** lock:acquire and lock:release requests being answered. */
  private inProgress = 0;

  constructor(
    private readonly store: CollabStore,
    private readonly broadcaster: RoomBroadcaster,
    private readonly peers: GatewayPeers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.peers.on(PEER_LEASE_CHANGES, (delta) => this.heard(delta));
  }

  /** The leases a joining session finds on the resource (part of its `resource:join` ack). */
  async joined(ref: ResourceRef): Promise<Lease[]> {
    return this.store.leases.list(ref);
  }

  /** A session left the resource: every lease it held there ends (the empty path is the whole object). */
  async left(socket: TandemSocket, ref: ResourceRef): Promise<void> {
    this.announce(ref, [], await this.store.leases.releasePaths(ref, socket.id, ['']));
  }

  /** A socket disconnected: every lease of its session ends. */
  async disconnected(socket: TandemSocket): Promise<void> {
    for (const lease of await this.store.leases.releaseSession(socket.id)) this.announce(lease.ref, [], [lease]);
  }

  /** At shutdown, what the closing sockets released goes out at once, before Redis is closed. */
  drain(): void {
    for (const key of [...this.pending.keys()]) this.flush(key);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn(`lease sweep failed: ${error instanceof Error ? error.message : String(error)}`));
    }, this.config.collab.sweepMs);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** `lock:acquire`: counted as in progress, so its grant is announced after its ack. */
  acquire(socket: TandemSocket, ref: ResourceRef, requested: string): Promise<Ack<RequestResults['lock:acquire']>> {
    return this.answering(() => this.acquireNow(socket, ref, requested));
  }

  private async acquireNow(socket: TandemSocket, ref: ResourceRef, requested: string): Promise<Ack<RequestResults['lock:acquire']>> {
    const canonical = canonicalOrFail('lock:acquire', requested);
    if ('failed' in canonical) return canonical.failed;
    const problem = leaseProblem(canonical.path);
    if (problem !== undefined) return failWith('bad-request', `lock:acquire: ${problem}`);
    if (!socket.data.subscriptions.has(rooms.resource(resourceKey(ref)))) return failWith('not-joined', 'lock:acquire needs resource:join of that resource first');
    const grant = await this.store.leases.acquire({ ref, path: canonical.path, owner: socket.data.user, sessionId: socket.id, ttlMs: this.config.collab.leaseTtlMs });
    if (!grant.granted) {
      return failWith('locked', `${grant.holder.path} is being edited by ${grant.holder.owner}`, { holder: grant.holder });
    }
    // The ack goes out now; the room hears of the lease with the next announcement.
    this.announce(ref, [grant.lease], []);
    return { ok: true, lease: grant.lease };
  }

  async renew(socket: TandemSocket, ref: ResourceRef, requested: string, token: number): Promise<Ack<RequestResults['lock:renew']>> {
    const canonical = canonicalOrFail('lock:renew', requested);
    if ('failed' in canonical) return canonical.failed;
    const lease = await this.store.leases.renew({ ref, path: canonical.path, token, sessionId: socket.id, ttlMs: this.config.collab.leaseTtlMs });
    // A renewal changes only expiresAt: not worth a broadcast to the room.
    if (lease !== undefined) return { ok: true, lease };
    return this.refusal('lock:renew', socket, ref, canonical.path, token);
  }

  /** `lock:release`: counted as in progress, so its end is announced after its ack. */
  release(socket: TandemSocket, ref: ResourceRef, requested: string, token: number): Promise<Ack> {
    return this.answering(() => this.releaseNow(socket, ref, requested, token));
  }

  private async releaseNow(socket: TandemSocket, ref: ResourceRef, requested: string, token: number): Promise<Ack> {
    const canonical = canonicalOrFail('lock:release', requested);
    if ('failed' in canonical) return canonical.failed;
    if (await this.store.leases.release({ ref, path: canonical.path, token, sessionId: socket.id })) {
      this.announce(ref, [], [{ path: canonical.path, token }]);
      return { ok: true };
    }
    return this.refusal('lock:release', socket, ref, canonical.path, token);
  }

  /** Ends the saving session's leases on the fields a save changed. */
  async releaseSaved(sessionId: string, ref: ResourceRef, paths: readonly FieldPath[]): Promise<void> {
    if (paths.length === 0) return;
    this.announce(ref, [], await this.store.leases.releasePaths(ref, sessionId, paths));
  }

  /**
   * Queues lease changes made on this gateway for its resource's room, on every gateway. Changes are
   * sent in the order they happened; a lease granted and ended within one announcement is sent in
   * both lists.
   */
  announce(ref: ResourceRef, acquired: readonly Lease[], released: readonly (Lease | LeaseEnded)[]): void {
    this.queue(ref, acquired.map(grant), released.map(ended), true);
  }

  /** A peer gateway's changes: for this gateway's sockets in the room, if it has any. */
  private heard(delta: LockChanged): void {
    if (this.broadcaster.hasLocalRoom(rooms.resource(resourceKey(delta.ref)))) this.queue(delta.ref, delta.acquired, delta.released, false);
  }

  private queue(ref: ResourceRef, acquired: readonly LeaseGrant[], released: readonly LeaseEnded[], own: boolean): void {
    if (acquired.length === 0 && released.length === 0) return;
    const key = resourceKey(ref);
    let change = this.pending.get(key);
    if (change === undefined) {
      const last = this.lastAnnounced.get(key);
      const delay = Math.max(ANNOUNCE_DELAY_MS, last === undefined ? 0 : last + ANNOUNCE_INTERVAL_MS - Date.now());
      const since = Date.now();
      change = { ref, since, due: false, all: noChanges(), own: noChanges(), timer: setTimeout(() => this.delayOver(key), delay) };
      this.pending.set(key, change);
    }
    for (const changes of own ? [change.all, change.own] : [change.all]) {
      for (const lease of acquired) changes.acquired.set(lease.token, lease);
      for (const lease of released) changes.released.set(lease.token, lease);
    }
  }

  /** Runs a lease request, counting it as in progress until its ack has been written. */
  private async answering<T>(request: () => Promise<T>): Promise<T> {
    this.inProgress++;
    try {
      return await request();
    } finally {
      // The dispatcher writes the ack once this promise settles; the next turn comes after that.
      setImmediate(() => {
        if (--this.inProgress === 0) for (const [key, change] of [...this.pending]) if (change.due) this.flush(key);
      });
    }
  }

  /** A resource's changes waited their delay: out now, unless lease requests are being answered (then at the latest ANNOUNCE_INTERVAL_MS after the first change). */
  private delayOver(key: string): void {
    const change = this.pending.get(key);
    if (change === undefined) return;
    const waited = Date.now() - change.since;
    if (this.inProgress === 0 || waited >= ANNOUNCE_INTERVAL_MS) {
      this.flush(key);
      return;
    }
    change.due = true;
    change.timer = setTimeout(() => this.flush(key), ANNOUNCE_INTERVAL_MS - waited);
  }

  /** Sends a resource's queued changes now. */
  flush(key: string): void {
    const change = this.pending.get(key);
    if (change === undefined) return;
    clearTimeout(change.timer);
    this.pending.delete(key);
    const now = Date.now();
    this.lastAnnounced.set(key, now);
    for (const [other, at] of this.lastAnnounced) if (at + ANNOUNCE_INTERVAL_MS < now) this.lastAnnounced.delete(other);
    const delta = (changes: Changes): LockChanged => ({ ref: change.ref, acquired: [...changes.acquired.values()], released: [...changes.released.values()] });
    this.broadcaster.toLocalRoom(rooms.resource(key), 'lock:changed', delta(change.all));
    if (change.own.acquired.size > 0 || change.own.released.size > 0) this.peers.publish(PEER_LEASE_CHANGES, delta(change.own));
  }

  /** Why a renew or release of a lease this session does not hold was refused. */
  private async refusal(event: 'lock:renew' | 'lock:release', socket: TandemSocket, ref: ResourceRef, path: FieldPath, token: number): Promise<Ack<never>> {
    const live = (await this.store.leases.list(ref)).find((lease) => lease.path === path);
    if (live !== undefined && live.sessionId !== socket.id) {
      return failWith('forbidden', `${event}: the lease on ${path} belongs to ${live.owner}'s session, not this one`, { holder: live });
    }
    return failWith('not-found', `${event}: this session holds no live lease on ${path} with token ${token} (it expired or was released); acquire it again`);
  }

  /**
   * Tells this gateway's sockets about leases that lapsed (their gateway died or stopped renewing).
   * Each gateway checks the resources its own sockets have open and tells only those sockets, so
   * each client hears of an expiry once.
   */
  private async sweep(): Promise<void> {
    const open = new Set(this.broadcaster.localRooms().filter((room) => room.startsWith('resource:')).map((room) => room.slice('resource:'.length)));
    for (const key of [...this.seen.keys()]) if (!open.has(key)) this.seen.delete(key);
    for (const key of open) {
      const ref = parseResourceKey(key);
      const leases = await this.store.leases.list(ref);
      // The store prunes by the Redis server's clock: read this clock after its answer, and allow for
      // skew, or a lease that expired while the list was on its way would be dropped unannounced.
      const now = Date.now() + CLOCK_SKEW_ALLOWANCE_MS;
      const before = this.seen.get(key) ?? [];
      this.seen.set(key, leases);
      const live = new Set(leases.map((lease) => lease.token));
      const lapsed = before.filter((lease) => lease.expiresAt <= now && !live.has(lease.token)).map(ended);
      if (lapsed.length > 0) this.broadcaster.toLocalRoom(rooms.resource(key), 'lock:changed', { ref, acquired: [], released: lapsed });
    }
  }
}
