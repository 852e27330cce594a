import type { CursorSelection, FieldPath, ResourceRef } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';

/** Presence updates are sent at most this often while the cursor moves. */
export const PRESENCE_THROTTLE_MS = 80;

/** Where the user is in the text: the field under the cursor and the selection. */
export interface PresencePosition {
  readonly field: FieldPath | undefined;
  readonly selection: CursorSelection | null;
}

/**
 * Tells the others where this user is (`presence:update`): at once on focus and blur, and while the
 * cursor moves at most every PRESENCE_THROTTLE_MS, the last position always sent.
 */
export class PresenceSender {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = false;

  constructor(
    private readonly client: Pick<TandemClient, 'state' | 'request'>,
    private readonly ref: ResourceRef,
    /** The position now, or null while there is nothing to tell (the object has not loaded). */
    private readonly position: () => PresencePosition | null,
    private readonly throttleMs = PRESENCE_THROTTLE_MS,
  ) {}

  /** The cursor or selection moved. */
  moved(): void {
    if (this.timer !== undefined) {
      this.pending = true;
      return;
    }
    this.send(false);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) {
        this.pending = false;
        this.moved();
      }
    }, this.throttleMs);
  }

  /** Sends the position now: on focus (`idle` false) and on blur (`idle` true). */
  send(idle: boolean): void {
    if (this.client.state !== 'connected') return;
    const position = this.position();
    if (position === null) return;
    this.client
      .request('presence:update', {
        ref: this.ref,
        field: position.field === undefined || position.field === '' ? null : position.field,
        selection: position.selection,
        idle,
      })
      .catch(() => undefined);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
