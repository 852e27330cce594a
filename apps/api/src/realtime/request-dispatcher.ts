import { Injectable, Logger } from '@nestjs/common';
import {
  checkBounds,
  failWith,
  isRequestName,
  REQUEST_LIMITS,
  RequestSchemas,
  resourceKey,
  rooms,
  type Ack,
  type AckFail,
  type RequestName,
  type RequestPayload,
  type RequestResults,
} from '@tandem/sync';
import type { z } from 'zod';
import { KubeApiError } from '../errors/kube-api-error.js';
import { EditsService, type SaveSession } from '../edits/edits.service.js';
import type { Actor } from '../identity/actor.js';
import { LocksService } from '../locks/locks.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PresenceService } from '../presence/presence.service.js';
import { RequestLimits } from '../socket/request-limits.js';
import type { TandemSocket } from '../socket/tandem-socket.js';
import { CollabStore } from '../store/store.module.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';

export interface RequestContext {
  readonly socket: TandemSocket;
  readonly user: string;
  /** Who is acting: what services take, so the cluster sees the signed-in user. */
  readonly actor: Actor;
}

/** Answers one validated request; a thrown error becomes a failed ack. */
export type RequestHandler<E extends RequestName> = (payload: RequestPayload<E>, context: RequestContext) => Promise<Ack<RequestResults[E]>> | Ack<RequestResults[E]>;

/** One handler per request the protocol names: a request without one does not compile. */
type HandlerTable = { readonly [E in RequestName]: RequestHandler<E> };

/** zod issues as one line that names each offending field, e.g. `ref.name: name must not be empty`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Maps a handler failure to the protocol's error codes, keeping the cluster's own message. */
export function toFailedAck(error: unknown): AckFail | undefined {
  if (!(error instanceof KubeApiError)) return undefined;
  if (error.code === 404) return failWith('not-found', error.message);
  if (error.code === 401 || error.code === 403) return failWith('forbidden', error.message);
  if (error.code >= 500) return failWith('unavailable', error.message);
  return failWith('rejected', error.message, { code: error.code, reason: error.reason });
}

/** The editing session behind a socket, as the guarded save sees it. */
function saveSessionOf(socket: TandemSocket): SaveSession {
  return { id: socket.id, hasJoined: (ref) => socket.data.subscriptions.has(rooms.resource(resourceKey(ref))) };
}

/**
 * The table of client -> server requests, each a typed call into the capability that answers it:
 * `dispatch` checks every payload's size and shape (`RequestSchemas`) and the caller's limits before
 * the call, and turns whatever goes wrong into a failed ack.
 */
@Injectable()
export class RequestDispatcher {
  private readonly logger = new Logger(RequestDispatcher.name);
  private readonly handlers: HandlerTable;

  constructor(
    private readonly store: CollabStore,
    private readonly limits: RequestLimits,
    private readonly metrics: MetricsService,
    subscriptions: ResourceSubscriptions,
    presence: PresenceService,
    locks: LocksService,
    edits: EditsService,
  ) {
    this.handlers = {
      'resource:join': ({ ref }, { socket, actor }) => subscriptions.join(socket, actor, ref),
      'resource:leave': ({ ref }, { socket }) => subscriptions.leave(socket, ref),
      'list:watch': ({ list }, { socket, actor }) => subscriptions.watchList(socket, actor, list),
      'list:unwatch': ({ list }, { socket }) => subscriptions.unwatchList(socket, list),
      'presence:update': (payload, { socket }) => presence.update(socket, payload),
      'presence:summary': ({ context }, { socket }) => presence.summary(socket, context),
      'lock:acquire': ({ ref, path }, { socket }) => locks.acquire(socket, ref, path),
      'lock:renew': ({ ref, path, token }, { socket }) => locks.renew(socket, ref, path, token),
      'lock:release': ({ ref, path, token }, { socket }) => locks.release(socket, ref, path, token),
      'resource:save': (payload, { socket, actor }) => edits.save(actor, saveSessionOf(socket), payload),
    };
  }

  /**
   * Handles one incoming event (`args` as socket.io delivers them: payload, then an optional ack
   * callback). Never rejects: whatever goes wrong becomes a failed ack (or, without an ack, a log line).
   */
  async dispatch(socket: TandemSocket, eventName: unknown, args: readonly unknown[]): Promise<void> {
    // socket.io lets a client name an event with a number too.
    const event = String(eventName);
    const last = args.at(-1);
    const ack = typeof last === 'function' ? (last as (result: unknown) => void) : undefined;
    const answer = (result: Ack): void => {
      if (ack === undefined) return;
      try {
        ack(result);
      } catch (error) {
        this.logger.warn(`ack for "${event.slice(0, 64)}" failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    try {
      if (!isRequestName(event)) {
        // Without an ack callback there is nobody to tell, so an unknown event is dropped.
        answer(failWith('unknown-event', `Unknown event "${event.slice(0, 64)}"; this gateway handles ${Object.keys(this.handlers).sort().join(', ')}`));
        return;
      }
      const started = performance.now();
      // A request sent without a payload delivers its ack callback first.
      const payload = ack !== undefined && args.length === 1 ? undefined : args[0];
      const result = await this.invoke(event, payload, { socket, user: socket.data.user, actor: socket.data.actor });
      this.metrics.observeRequest(event, result.ok ? 'ok' : result.error.code, (performance.now() - started) / 1_000);
      answer(result);
    } catch (error) {
      this.logger.error(`"${event.slice(0, 64)}" failed outside its handler: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      answer(failWith('internal', 'the request failed inside the gateway; see its log'));
    }
  }

  private async invoke<E extends RequestName>(event: E, payload: unknown, context: RequestContext): Promise<Ack> {
    try {
      // Size, depth and plain-JSON shape first, without recursion: the schemas below recurse.
      const problem = checkBounds(payload, REQUEST_LIMITS[event]);
      if (problem !== undefined) {
        return problem.kind === 'not-json' ? failWith('bad-request', `${event}: ${problem.message}`) : failWith('too-large', `${event}: ${problem.message}`, { limit: problem.limit });
      }
      const parsed = RequestSchemas[event].safeParse(payload);
      if (!parsed.success) return failWith('bad-request', `${event}: ${describeIssues(parsed.error)}`);
      const request = parsed.data as RequestPayload<E>;
      const limited = await this.limits.request(event, request, context.socket);
      if (limited !== undefined) return limited;
      const handler: RequestHandler<E> = this.handlers[event];
      return await handler(request, context);
    } catch (error) {
      const failed = toFailedAck(error);
      if (failed !== undefined) return failed;
      if (this.store.isOutage(error)) {
        // The store logs the connection trouble itself; the client hears what to do.
        return failWith('unavailable', `${event}: the shared store (Redis) did not answer (${error instanceof Error ? error.message : String(error)}); try again in a moment`);
      }
      this.logger.error(`"${event}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return failWith('internal', `${event} failed inside the gateway; see its log`);
    }
  }
}
