import { Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { GatewayPeers, peerTopic } from './gateway-peers.js';

const REMEMBERED_VERSIONS = 1_000;

const SAVE_AUTHORS = peerTopic('tandem:save-author', z.strictObject({ resourceKey: z.string(), resourceVersion: z.string(), user: z.string() }));

/**
 * Which Tandem user wrote which version of an object, so `resource:changed` can name the user rather
 * than the field manager `tandem`. Each gateway records its own saves and hears its peers'.
 */
@Injectable()
export class SaveAuthors implements OnModuleInit {
  private readonly authors = new Map<string, string>();
  private readonly waiters = new Map<string, Set<(user: string) => void>>();

  constructor(private readonly peers: GatewayPeers) {}

  onModuleInit(): void {
    this.peers.on(SAVE_AUTHORS, (note) => this.remember(note));
  }

  /** Records a save made on this gateway and tells the peers. */
  record(resourceKey: string, resourceVersion: string, user: string): void {
    this.remember({ resourceKey, resourceVersion, user });
    this.peers.publish(SAVE_AUTHORS, { resourceKey, resourceVersion, user });
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
