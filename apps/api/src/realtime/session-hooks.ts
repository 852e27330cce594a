import { Injectable, Logger } from '@nestjs/common';
import type { JsonObject, Lease, PresenceSession, ResourceRef } from '@tandem/sync';
import type { TandemSocket } from './request-handlers.js';

/** What a capability adds to a `resource:join` ack. */
export interface JoinContribution {
  readonly presence?: PresenceSession[];
  readonly leases?: Lease[];
}

type JoinHook = (socket: TandemSocket, ref: ResourceRef, object: JsonObject) => Promise<JoinContribution>;
type LeaveHook = (socket: TandemSocket, ref: ResourceRef) => Promise<void>;
type DisconnectHook = (socket: TandemSocket) => Promise<void>;
type DrainHook = () => void;

/**
 * A socket's life on a resource (joined, left, disconnected), for capabilities that keep state per
 * session (presence, leases) without the subscription code knowing them.
 */
@Injectable()
export class SessionHooks {
  private readonly logger = new Logger(SessionHooks.name);
  private readonly joinHooks: JoinHook[] = [];
  private readonly leaveHooks: LeaveHook[] = [];
  private readonly disconnectHooks: DisconnectHook[] = [];
  private readonly drainHooks: DrainHook[] = [];
  /** Disconnect clean-ups still running. */
  private readonly pending = new Set<Promise<void>>();

  onJoin(hook: JoinHook): void {
    this.joinHooks.push(hook);
  }

  onLeave(hook: LeaveHook): void {
    this.leaveHooks.push(hook);
  }

  onDisconnect(hook: DisconnectHook): void {
    this.disconnectHooks.push(hook);
  }

  /** Runs at shutdown once the sockets' clean-ups have finished, before the Redis connections close. */
  onDrain(hook: DrainHook): void {
    this.drainHooks.push(hook);
  }

  /** Runs every join hook; their contributions make up the ack's presence and leases. */
  async joined(socket: TandemSocket, ref: ResourceRef, object: JsonObject): Promise<Required<JoinContribution>> {
    const contributions = await Promise.all(this.joinHooks.map((hook) => hook(socket, ref, object)));
    return {
      presence: contributions.flatMap((contribution) => contribution.presence ?? []),
      leases: contributions.flatMap((contribution) => contribution.leases ?? []),
    };
  }

  async left(socket: TandemSocket, ref: ResourceRef): Promise<void> {
    await Promise.all(this.leaveHooks.map((hook) => hook(socket, ref)));
  }

  /** Runs every disconnect hook in the background: nobody is left to answer, so failures are logged. */
  disconnected(socket: TandemSocket): void {
    for (const hook of this.disconnectHooks) {
      const cleanup = hook(socket).catch((error: unknown) => this.logger.warn(`cleanup after socket ${socket.id} failed: ${error instanceof Error ? error.message : String(error)}`));
      this.pending.add(cleanup);
      void cleanup.finally(() => this.pending.delete(cleanup));
    }
  }

  /**
   * At shutdown, after the socket server closed: waits (at most `timeoutMs`) for the disconnect
   * clean-ups of its sockets, then runs the drain hooks, so what they release is announced while the
   * connections to Redis are still open.
   */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.pending]), deadline]);
    clearTimeout(timer);
    for (const hook of this.drainHooks) hook();
  }
}
