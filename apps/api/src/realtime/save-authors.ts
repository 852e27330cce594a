import { Injectable } from '@nestjs/common';

const REMEMBERED_VERSIONS = 1_000;

/**
 * Which Tandem user wrote which version of an object, so `resource:changed` can name the user rather
 * than the field manager `tandem`. Each gateway records its own saves and hears its peers' through
 * `publish` (socket.io server-side events when gateways share Redis).
 */
@Injectable()
export class SaveAuthors {
  private readonly authors = new Map<string, string>();
  private readonly waiters = new Map<string, Set<(user: string) => void>>();
  /** Set by the realtime gateway when there are peers to tell. */
  publish: ((note: SaveAuthorNote) => void) | undefined;

  /** Records a save made on this gateway and tells the peers. */
  record(resourceKey: string, resourceVersion: string, user: string): void {
    this.remember({ resourceKey, resourceVersion, user });
    this.publish?.({ resourceKey, resourceVersion, user });
  }

  /** Records a save a peer gateway made. */
  remember(note: SaveAuthorNote): void {
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
