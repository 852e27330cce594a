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

  onJoin(hook: JoinHook): void {
    this.joinHooks.push(hook);
  }

  onLeave(hook: LeaveHook): void {
    this.leaveHooks.push(hook);
  }

  onDisconnect(hook: DisconnectHook): void {
    this.disconnectHooks.push(hook);
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
      hook(socket).catch((error: unknown) => this.logger.warn(`cleanup after socket ${socket.id} failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
