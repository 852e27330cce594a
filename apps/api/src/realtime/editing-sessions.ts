import { Injectable, Logger } from '@nestjs/common';
import type { JsonObject, Lease, PresenceSession, ResourceRef } from '@tandem/sync';
import { EditsService } from '../edits/edits.service.js';
import { HistoryService } from '../history/history.service.js';
import { LocksService } from '../locks/locks.service.js';
import { PresenceService } from '../presence/presence.service.js';
import type { TandemSocket } from '../socket/tandem-socket.js';

/** What the capabilities add to a `resource:join` ack. */
export interface JoinedSession {
  readonly presence: PresenceSession[];
  readonly leases: Lease[];
}

/**
 * A socket's life on a resource (joined, left, disconnected), told to each capability that keeps
 * state per editing session: presence and leases, the versions a save is compared with, and the
 * last object the edit history diffs outside changes against.
 */
@Injectable()
export class EditingSessions {
  private readonly logger = new Logger(EditingSessions.name);
  /** Disconnect clean-ups still running. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly presence: PresenceService,
    private readonly locks: LocksService,
    private readonly edits: EditsService,
    private readonly history: HistoryService,
  ) {}

  async joined(socket: TandemSocket, ref: ResourceRef, object: JsonObject): Promise<JoinedSession> {
    this.edits.joined(ref, object);
    this.history.joined(ref, object);
    const [presence, leases] = await Promise.all([this.presence.join(socket, ref), this.locks.joined(ref)]);
    return { presence, leases };
  }

  async left(socket: TandemSocket, ref: ResourceRef): Promise<void> {
    await Promise.all([this.presence.leave(socket, ref), this.locks.left(socket, ref)]);
  }

  /** Ends the socket's presence and leases in the background: nobody is left to answer, so failures are logged. */
  disconnected(socket: TandemSocket): void {
    for (const cleanup of [this.presence.disconnect(socket), this.locks.disconnected(socket)]) {
      const logged = cleanup.catch((error: unknown) => this.logger.warn(`cleanup after socket ${socket.id} failed: ${error instanceof Error ? error.message : String(error)}`));
      this.pending.add(logged);
      void logged.finally(() => this.pending.delete(logged));
    }
  }

  /**
   * At shutdown, after the socket server closed: waits (at most `timeoutMs`) for the disconnect
   * clean-ups of its sockets, then announces what they released, while the connections to Redis are
   * still open.
   */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.pending]), deadline]);
    clearTimeout(timer);
    this.locks.drain();
  }
}
