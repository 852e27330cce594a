import { Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import type { ResourceChanged } from '@tandem/sync';
import { FIELD_MANAGER } from '../kube/kube-client.js';
import type { HubChange } from '../kube/watch-hub.js';
import { GatewayPeers, peerTopic } from '../socket/gateway-peers.js';

const REMEMBERED_VERSIONS = 1_000;
/** How long a change written by Tandem waits for its author's note before it goes out unnamed. */
const AUTHOR_NOTE_WAIT_MS = 250;

const SAVE_AUTHORS = peerTopic('tandem:save-author', z.strictObject({ resourceKey: z.string(), resourceVersion: z.string(), user: z.string() }));

/**
 * Which Tandem user wrote which version of an object, so `resource:changed` can name the user rather
 * than the field manager `tandem`. Each gateway records its own saves and hears its peers'.
 */
@Injectable()
export class SaveAuthors implements OnModuleInit {
  private readonly authors = new Map<string, string>();
  private readonly waiters = new Map<string, Set<(user: string) => void>>();
  /** Resource key -> the attribution still waiting there, so that object's changes keep their order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly peers: GatewayPeers) {}

  onModuleInit(): void {
    this.peers.on(SAVE_AUTHORS, (note) => this.remember(note));
  }

  /** Records a save made on this gateway and tells the peers. */
  record(resourceKey: string, resourceVersion: string, user: string): void {
    this.remember({ resourceKey, resourceVersion, user });
    this.peers.publish(SAVE_AUTHORS, { resourceKey, resourceVersion, user });
  }

  /**
   * Names the Tandem user who wrote a watched change (`user`), when Tandem wrote it, and hands it to
   * `deliver`, in watch order per object. A real API server's watch event can arrive before the
   * PUT's own answer (this gateway's save), and a peer gateway's note may trail it: a change by
   * Tandem's field manager whose author is not known yet waits briefly for the note.
   */
  attribute(change: HubChange, deliver: (resource: ResourceChanged) => void): void {
    const { resourceKey } = change;
    const { resourceVersion, manager } = change.resource;
    const named = (user: string | undefined): ResourceChanged => (user === undefined ? change.resource : { ...change.resource, user });
    const known = this.authorOf(resourceKey, resourceVersion);
    const queued = this.queues.get(resourceKey);
    if (queued === undefined && (known !== undefined || manager !== FIELD_MANAGER)) {
      deliver(named(known));
      return;
    }
    const next = (queued ?? Promise.resolve()).then(async () => deliver(named(manager === FIELD_MANAGER ? await this.waitFor(resourceKey, resourceVersion, AUTHOR_NOTE_WAIT_MS) : known)));
    this.queues.set(resourceKey, next);
    void next.then(() => {
      if (this.queues.get(resourceKey) === next) this.queues.delete(resourceKey);
    });
  }

  /** Records who wrote a version. */
  private remember(note: SaveAuthorNote): void {
    const id = `${note.resourceKey}@${note.resourceVersion}`;
    this.authors.set(id, note.user);
    if (this.authors.size > REMEMBERED_VERSIONS) {
      const oldest = this.authors.keys().next();
      if (oldest.done !== true) this.authors.delete(oldest.value);
    }
    for (const waiter of this.waiters.get(id) ?? []) waiter(note.user);
    this.waiters.delete(id);
  }

  authorOf(resourceKey: string, resourceVersion: string): string | undefined {
    return this.authors.get(`${resourceKey}@${resourceVersion}`);
  }

  /** The author once known, or undefined after `timeoutMs` (a peer's note may trail the watch event). */
  waitFor(resourceKey: string, resourceVersion: string, timeoutMs: number): Promise<string | undefined> {
    const known = this.authorOf(resourceKey, resourceVersion);
    if (known !== undefined) return Promise.resolve(known);
    const id = `${resourceKey}@${resourceVersion}`;
    return new Promise((resolve) => {
      const waiters = this.waiters.get(id) ?? new Set<(user: string) => void>();
      const done = (user: string | undefined): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(id) === waiters) this.waiters.delete(id);
        resolve(user);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      waiters.add(done);
      this.waiters.set(id, waiters);
    });
  }
}

export interface SaveAuthorNote {
  readonly resourceKey: string;
  readonly resourceVersion: string;
  readonly user: string;
}
