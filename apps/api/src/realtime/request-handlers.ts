import { Injectable, Logger } from '@nestjs/common';
import {
  checkBounds,
  fail,
  isRequestName,
  REQUEST_LIMITS,
  RequestSchemas,
  type Ack,
  type AckFail,
  type ClientToServerEvents,
  type ErrorCode,
  type RequestName,
  type RequestPayload,
  type RequestResults,
  type ServerToClientEvents,
} from '@tandem/sync';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { KubeApiError } from '../kube/kube.errors.js';
import type { WatchedList, WatchTarget } from '../kube/watch-hub.js';
import { CollabStore } from '../store/store.module.js';
import { RequestLimits } from './request-limits.js';

/** What the gateway keeps on each socket. */
export interface TandemSocketData {
  /** The authenticated user name (`actor.user`); later messages never override it. */
  user: string;
  /** Who the socket acts as, set once by the handshake. */
  actor: Actor;
  /** Room name -> the shared-watch subscription behind it (see ResourceSubscriptions). */
  subscriptions: Map<string, WatchSubscription>;
}

/** One socket's hold on a shared watch; `list` is set once the watch's initial list is in. */
export interface WatchSubscription {
  readonly target: WatchTarget;
  list?: WatchedList;
}

export type TandemSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, TandemSocketData>;

export interface RequestContext {
  readonly socket: TandemSocket;
  readonly user: string;
  /** Who is acting: what services take, so the cluster sees the signed-in user. */
  readonly actor: Actor;
}

/** Answers one validated request; a thrown error becomes a failed ack. */
export type RequestHandler<E extends RequestName> = (payload: RequestPayload<E>, context: RequestContext) => Promise<Ack<RequestResults[E]>> | Ack<RequestResults[E]>;

type HandlerMap = { [E in RequestName]?: RequestHandler<E> };

/** How a request ended: `ok`, or the error code of its failed ack. */
export type RequestResult = 'ok' | ErrorCode;

/** Told of every request a handler answered, with how long it took (for metrics). */
export type RequestObserver = (event: RequestName, result: RequestResult, seconds: number) => void;

/** zod issues as one line that names each offending field, e.g. `ref.name: name must not be empty`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Maps a handler failure to the protocol's error codes, keeping the cluster's own message. */
export function toFailedAck(error: unknown): AckFail | undefined {
  if (!(error instanceof KubeApiError)) return undefined;
  if (error.code === 404) return fail('not-found', error.message);
  if (error.code === 401 || error.code === 403) return fail('forbidden', error.message);
  if (error.code >= 500) return fail('unavailable', error.message);
  return fail('rejected', error.message, { code: error.code, reason: error.reason });
}

/**
 * The table of client -> server requests: capabilities register a typed handler per event, and
 * `dispatch` validates every payload against `RequestSchemas` before any handler sees it.
 */
@Injectable()
export class RequestHandlers {
  private readonly logger = new Logger(RequestHandlers.name);
  private readonly handlers: HandlerMap = {};
  private readonly observers = new Set<RequestObserver>();

  constructor(
    private readonly store: CollabStore,
    private readonly limits: RequestLimits,
  ) {}

  register<E extends RequestName>(event: E, handler: RequestHandler<E>): void {
    if (this.handlers[event] !== undefined) throw new Error(`A handler for "${event}" is already registered`);
    (this.handlers as Record<E, RequestHandler<E>>)[event] = handler;
  }

  /** Calls `observer` after every answered request; returns the unsubscribe function. */
  observe(observer: RequestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
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
      if (!isRequestName(event) || this.handlers[event] === undefined) {
        // Without an ack callback there is nobody to tell, so an unknown event is dropped.
        answer(fail('unknown-event', `Unknown event "${event.slice(0, 64)}"; this gateway handles ${Object.keys(this.handlers).sort().join(', ')}`));
        return;
      }
      const started = performance.now();
      // A request sent without a payload delivers its ack callback first.
      const payload = ack !== undefined && args.length === 1 ? undefined : args[0];
      const result = await this.invoke(event, payload, { socket, user: socket.data.user, actor: socket.data.actor });
      const seconds = (performance.now() - started) / 1_000;
      for (const observer of this.observers) {
        try {
          observer(event, result.ok ? 'ok' : result.error.code, seconds);
        } catch (error) {
          this.logger.warn(`a request observer failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      answer(result);
    } catch (error) {
      this.logger.error(`"${event.slice(0, 64)}" failed outside its handler: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      answer(fail('internal', 'the request failed inside the gateway; see its log'));
    }
  }

  private async invoke<E extends RequestName>(event: E, payload: unknown, context: RequestContext): Promise<Ack> {
    try {
      // Size, depth and plain-JSON shape first, without recursion: the schemas below recurse.
      const problem = checkBounds(payload, REQUEST_LIMITS[event]);
      if (problem !== undefined) {
        return problem.kind === 'not-json' ? fail('bad-request', `${event}: ${problem.message}`) : fail('too-large', `${event}: ${problem.message}`, { limit: problem.limit });
      }
      const parsed = RequestSchemas[event].safeParse(payload);
      if (!parsed.success) return fail('bad-request', `${event}: ${describeIssues(parsed.error)}`);
      const request = parsed.data as RequestPayload<E>;
      const limited = await this.limits.request(event, request, context.socket);
      if (limited !== undefined) return limited;
      const handler = this.handlers[event] as RequestHandler<E>;
      return await handler(request, context);
    } catch (error) {
      const failed = toFailedAck(error);
      if (failed !== undefined) return failed;
      if (this.store.isOutage(error)) {
        // The store logs the connection trouble itself; the client hears what to do.
        return fail('unavailable', `${event}: the shared store (Redis) did not answer (${error instanceof Error ? error.message : String(error)}); try again in a moment`);
      }
      this.logger.error(`"${event}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return fail('internal', `${event} failed inside the gateway; see its log`);
    }
  }
}
