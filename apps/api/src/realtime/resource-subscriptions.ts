import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { failWith, listKey, listRefOf, parseResourceKey, resourceKey, rooms, type Ack, type AckFail, type JsonObject, type ListRef, type RequestResults, type ResourceRef } from '@tandem/sync';
import { AccessReviews } from '../auth/access-reviews.js';
import { ContextsService } from '../contexts/contexts.service.js';
import type { Actor } from '../identity/actor.js';
import { SharedWatches } from '../kube/shared-watches.service.js';
import type { WatchTarget } from '../kube/watch-hub.js';
import type { TandemSocket, WatchSubscription } from '../socket/tandem-socket.js';
import { EditingSessions } from './editing-sessions.js';


const RESOURCE_ROOM_PREFIX = rooms.resource('');

/**
 * `resource:join`/`leave` and `list:watch`/`unwatch`: each socket room is backed by one retain of
 * the shared watch that feeds it, released on leave, on disconnect, and when its context is
 * removed from the kubeconfig files (then presence and leases there end too, as on a leave).
 */
@Injectable()
export class ResourceSubscriptions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ResourceSubscriptions.name);
  /** Sockets of this gateway holding at least one subscription. */
  private readonly subscribers = new Set<TandemSocket>();
  private unsubscribeContexts: (() => void) | undefined;

  constructor(
    private readonly watches: SharedWatches,
    private readonly sessions: EditingSessions,
    private readonly contexts: ContextsService,
    private readonly access: AccessReviews,
  ) {}

  onModuleDestroy(): void {
    this.unsubscribeContexts?.();
  }

  onModuleInit(): void {
    this.unsubscribeContexts = this.contexts.onChange((event) => {
      for (const context of event.removed) {
        this.leaveContext(context).catch((error: unknown) => this.logger.warn(`leaving removed context ${context} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }

  /** `resource:leave`: the room and its watch are released, and the session's presence and leases there end. */
  async leave(socket: TandemSocket, ref: ResourceRef): Promise<Ack<RequestResults['resource:leave']>> {
    const left = this.leaveRoom(socket, rooms.resource(resourceKey(ref)));
    await this.sessions.left(socket, ref);
    return left;
  }

  /** `list:watch`: list changes of one type reach the socket, if the cluster lets its user list and watch them. */
  async watchList(socket: TandemSocket, actor: Actor, list: ListRef): Promise<Ack<RequestResults['list:watch']>> {
    // The shared watch reads with the gateway's credential; a socket hears it only if the cluster lets its user list and watch.
    for (const verb of ['list', 'watch']) {
      const decision = await this.access.review(actor, list.context, { verb, group: list.group, resource: list.resource, namespace: list.namespace });
      if (!decision.allowed) return failWith('forbidden', `${decision.reason}; nothing is sent to you from that list`);
    }
    const target = listRefOf(list);
    const subscribed = await this.subscribe(socket, rooms.list(listKey(target)), target);
    if (!subscribed.ok) return subscribed;
    // A resource browser also follows who is in which resource of the context (`presence:summary` pushes).
    await socket.join(rooms.context(list.context));
    return { ok: true };
  }

  unwatchList(socket: TandemSocket, list: ListRef): Ack<RequestResults['list:unwatch']> {
    return this.leaveRoom(socket, rooms.list(listKey(listRefOf(list))));
  }

  async join(socket: TandemSocket, actor: Actor, ref: ResourceRef): Promise<Ack<RequestResults['resource:join']>> {
    // The object comes from a shared watch read with the gateway's credential: the user receives it
    // (and its changes, in the room) only if the cluster lets them get it.
    const decision = await this.access.review(actor, ref.context, { verb: 'get', group: ref.group, resource: ref.resource, namespace: ref.namespace, name: ref.name });
    if (!decision.allowed) return failWith('forbidden', `${decision.reason}; nothing of it is sent to you`);
    const room = rooms.resource(resourceKey(ref));
    const subscribed = await this.subscribe(socket, room, listRefOf(ref));
    if (!subscribed.ok) return subscribed;
    const object = subscribed.subscription.list?.get(ref.namespace, ref.name);
    if (object === undefined) {
      this.leaveRoom(socket, room);
      const where = ref.namespace === undefined ? '' : ` in namespace "${ref.namespace}"`;
      return failWith('not-found', `${ref.resource} "${ref.name}"${where} does not exist in context "${ref.context}"`);
    }
    const json: JsonObject = object;
    const { presence, leases } = await this.sessions.joined(socket, ref, json);
    return { ok: true, resourceVersion: object.metadata.resourceVersion ?? '', object: json, presence, leases };
  }

  /** Leaves a room and releases its watch; leaving a room never joined is a no-op. */
  private leaveRoom(socket: TandemSocket, room: string): Ack<object> {
    const subscription = socket.data.subscriptions.get(room);
    if (subscription === undefined) return { ok: true };
    socket.data.subscriptions.delete(room);
    void socket.leave(room);
    // A join still waiting for its list releases by itself when it finds its entry gone.
    if (subscription.list !== undefined) this.watches.release(subscription.target);
    return { ok: true };
  }

  /** Releases everything a socket holds (on disconnect). */
  releaseAll(socket: TandemSocket): void {
    for (const room of [...socket.data.subscriptions.keys()]) this.leaveRoom(socket, room);
    this.subscribers.delete(socket);
  }

  /** A removed context: every socket leaves its rooms there, ending its presence and leases. */
  private async leaveContext(context: string): Promise<void> {
    for (const socket of [...this.subscribers]) {
      for (const [room, subscription] of [...socket.data.subscriptions]) {
        if (subscription.target.context !== context) continue;
        this.leaveRoom(socket, room);
        if (room.startsWith(RESOURCE_ROOM_PREFIX)) await this.sessions.left(socket, parseResourceKey(room.slice(RESOURCE_ROOM_PREFIX.length)));
      }
      void socket.leave(rooms.context(context));
    }
  }

  private async subscribe(socket: TandemSocket, room: string, target: WatchTarget): Promise<{ ok: true; subscription: WatchSubscription } | AckFail> {
    const existing = socket.data.subscriptions.get(room);
    if (existing?.list !== undefined) return { ok: true, subscription: existing };
    if (existing !== undefined) return failWith('bad-request', 'The same subscription is already being set up; wait for its answer');
    const subscription: WatchSubscription = { target };
    socket.data.subscriptions.set(room, subscription);
    this.subscribers.add(socket);
    let list;
    try {
      list = await this.watches.retain(target);
    } catch (error) {
      if (socket.data.subscriptions.get(room) === subscription) socket.data.subscriptions.delete(room);
      throw error;
    }
    if (socket.data.subscriptions.get(room) !== subscription || socket.disconnected) {
      // Left or disconnected while the list was loading.
      this.watches.release(target);
      if (socket.data.subscriptions.get(room) === subscription) socket.data.subscriptions.delete(room);
      return failWith('not-joined', 'The subscription was cancelled before it was ready');
    }
    subscription.list = list;
    await socket.join(room);
    return { ok: true, subscription };
  }
}
