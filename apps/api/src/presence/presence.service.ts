import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { canonicalPath, failWith, resourceKey, rooms, type Ack, type PresenceChange, type PresenceSession, type RequestPayload, type RequestResults, type ResourceRef } from '@tandem/sync';
import type { PresenceEntry } from '@tandem/store';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { RoomBroadcaster } from '../socket/room-broadcaster.js';
import type { TandemSocket } from '../socket/tandem-socket.js';
import { CollabStore } from '../store/store.module.js';
import { presenceColor } from './presence-color.js';

/** At most one store write per session and resource in this window; later updates coalesce. */
const UPDATE_INTERVAL_MS = 100;
/**
 * At most one `presence:changed` per session and resource in this window: the first move after a
 * pause goes out at once, later ones coalesce into one trailing broadcast of the latest state, so a
 * client sending faster than this cannot multiply the room's traffic.
 */
export const PRESENCE_BROADCAST_INTERVAL_MS = 50;
/** Joins and leaves within this window produce one `presence:summary` push per context. */
const SUMMARY_DEBOUNCE_MS = 100;

interface LocalSession {
  readonly ref: ResourceRef;
  session: PresenceSession;
  lastWrite: number;
  pending: NodeJS.Timeout | undefined;
  lastBroadcast: number;
  broadcastPending: NodeJS.Timeout | undefined;
}

/**
 * Who has which resource open, at which field: sessions live in the store with a TTL that this
 * gateway refreshes for its own sockets, so the sessions of a gateway that dies lapse and are swept.
 * Every change goes to the resource room (the sender included) as `presence:changed`.
 */
@Injectable()
export class PresenceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** socket id -> resource key -> the session this gateway keeps alive. */
  private readonly local = new Map<string, Map<string, LocalSession>>();
  private readonly summaryTimers = new Map<string, NodeJS.Timeout>();
  private readonly timers: NodeJS.Timeout[] = [];
  private heartbeats = 0;

  constructor(
    private readonly store: CollabStore,
    private readonly broadcaster: RoomBroadcaster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `presence:summary`: who is where in a context; asking also subscribes the socket to its pushes. */
  async summary(socket: TandemSocket, context: string): Promise<Ack<RequestResults['presence:summary']>> {
    await socket.join(rooms.context(context));
    return { ok: true, summary: await this.store.presence.summary(context) };
  }

  onApplicationBootstrap(): void {
    const { presenceHeartbeatMs, sweepMs } = this.config.collab;
    this.timers.push(setInterval(() => void this.guard('heartbeat', () => this.heartbeat()), presenceHeartbeatMs));
    this.timers.push(setInterval(() => void this.guard('sweep', () => this.sweep()), sweepMs));
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.summaryTimers.values()) clearTimeout(timer);
    for (const sessions of this.local.values()) {
      for (const entry of sessions.values()) {
        clearTimeout(entry.pending);
        clearTimeout(entry.broadcastPending);
      }
    }
  }

  async join(socket: TandemSocket, ref: ResourceRef): Promise<PresenceSession[]> {
    const key = resourceKey(ref);
    const sessions = this.local.get(socket.id) ?? new Map<string, LocalSession>();
    this.local.set(socket.id, sessions);
    const existing = sessions.get(key);
    const session: PresenceSession = existing?.session ?? { sessionId: socket.id, user: socket.data.user, color: presenceColor(socket.data.user), idle: false, updatedAt: Date.now() };
    sessions.set(key, { ref, session, lastWrite: Date.now(), pending: existing?.pending, lastBroadcast: existing?.lastBroadcast ?? 0, broadcastPending: existing?.broadcastPending });
    const change = await this.store.presence.upsert(ref, session, this.config.collab.presenceTtlMs);
    this.announce(ref, change, session);
    return this.store.presence.list(ref);
  }

  async update(socket: TandemSocket, payload: RequestPayload<'presence:update'>): Promise<Ack> {
    const entry = this.local.get(socket.id)?.get(resourceKey(payload.ref));
    if (entry === undefined) return failWith('not-joined', 'presence:update needs resource:join of that resource first');
    let field: string | undefined;
    if (typeof payload.field === 'string') {
      try {
        field = canonicalPath(payload.field);
      } catch (error) {
        return failWith('bad-request', `presence:update: field is not a field path: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const { field: _field, selection: _selection, ...rest } = entry.session;
    const nextField = payload.field === undefined ? entry.session.field : (field ?? undefined);
    const nextSelection = payload.selection === undefined ? entry.session.selection : (payload.selection ?? undefined);
    entry.session = {
      ...rest,
      ...(nextField !== undefined ? { field: nextField } : {}),
      ...(nextSelection !== undefined ? { selection: nextSelection } : {}),
      idle: payload.idle ?? entry.session.idle,
      updatedAt: Date.now(),
    };
    // The room hears of a move at once (or, within PRESENCE_BROADCAST_INTERVAL_MS of the last one,
    // with the next trailing broadcast); the store write (for late joiners and the per-context
    // summary) is throttled separately, so fan-out never waits for Redis.
    this.broadcastUpdate(socket.id, entry);
    if (entry.pending !== undefined) return { ok: true };
    const wait = entry.lastWrite + UPDATE_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      await this.flush(socket.id, entry);
      return { ok: true };
    }
    entry.pending = setTimeout(() => {
      entry.pending = undefined;
      void this.guard('presence update', () => this.flush(socket.id, entry));
    }, wait);
    return { ok: true };
  }

  /** Announces the entry's session now, or once the broadcast interval since the last one is over. */
  private broadcastUpdate(socketId: string, entry: LocalSession): void {
    if (entry.broadcastPending !== undefined) return;
    const wait = entry.lastBroadcast + PRESENCE_BROADCAST_INTERVAL_MS - Date.now();
    const send = (): void => {
      entry.broadcastPending = undefined;
      if (this.local.get(socketId)?.get(resourceKey(entry.ref)) !== entry) return;
      entry.lastBroadcast = Date.now();
      this.announce(entry.ref, 'updated', entry.session);
    };
    if (wait <= 0) send();
    else entry.broadcastPending = setTimeout(send, wait);
  }

  async leave(socket: TandemSocket, ref: ResourceRef): Promise<void> {
    const key = resourceKey(ref);
    const sessions = this.local.get(socket.id);
    const entry = sessions?.get(key);
    clearTimeout(entry?.pending);
    clearTimeout(entry?.broadcastPending);
    sessions?.delete(key);
    if (sessions?.size === 0) this.local.delete(socket.id);
    const removed = await this.store.presence.remove(ref, socket.id);
    if (removed !== undefined) this.announce(ref, 'left', removed);
  }

  async disconnect(socket: TandemSocket): Promise<void> {
    for (const entry of this.local.get(socket.id)?.values() ?? []) {
      clearTimeout(entry.pending);
      clearTimeout(entry.broadcastPending);
    }
    this.local.delete(socket.id);
    this.announceLeft(await this.store.presence.removeSession(socket.id));
  }

  /** Heartbeats finished since start: each rewrote every session this gateway keeps, with a fresh TTL (for metrics). */
  get heartbeatCount(): number {
    return this.heartbeats;
  }

  /** Refreshes the TTL of every session of this gateway's sockets. */
  private async heartbeat(): Promise<void> {
    for (const [socketId, sessions] of [...this.local]) {
      for (const entry of [...sessions.values()]) {
        const change = await this.store.presence.upsert(entry.ref, entry.session, this.config.collab.presenceTtlMs);
        // A session swept while this gateway was stalled comes back.
        if (change === 'joined' && this.local.get(socketId)?.get(resourceKey(entry.ref)) === entry) this.announce(entry.ref, 'joined', entry.session);
      }
    }
    this.heartbeats++;
  }

  /** Removes sessions whose gateway stopped refreshing them; whichever gateway sweeps first announces them. */
  private async sweep(): Promise<void> {
    this.announceLeft(await this.store.presence.expire());
  }

  private async flush(socketId: string, entry: LocalSession): Promise<void> {
    if (this.local.get(socketId)?.get(resourceKey(entry.ref)) !== entry) return;
    entry.lastWrite = Date.now();
    const change = await this.store.presence.upsert(entry.ref, entry.session, this.config.collab.presenceTtlMs);
    // Updates were announced when they arrived; a session the sweep had dropped comes back as joined.
    if (change === 'joined') this.announce(entry.ref, change, entry.session);
  }

  private announceLeft(entries: readonly PresenceEntry[]): void {
    for (const { ref, session } of entries) this.announce(ref, 'left', session);
  }

  private announce(ref: ResourceRef, change: PresenceChange, session: PresenceSession): void {
    this.broadcaster.toRoom(rooms.resource(resourceKey(ref)), 'presence:changed', { ref, change, session });
    if (change !== 'updated') this.scheduleSummary(ref.context);
  }

  private scheduleSummary(context: string): void {
    if (this.summaryTimers.has(context)) return;
    this.summaryTimers.set(
      context,
      setTimeout(() => {
        this.summaryTimers.delete(context);
        void this.guard('presence summary', async () => this.broadcaster.toRoom(rooms.context(context), 'presence:summary', await this.store.presence.summary(context)));
      }, SUMMARY_DEBOUNCE_MS),
    );
  }

  private async guard(what: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.logger.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
