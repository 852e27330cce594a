import { overlaps } from '../field-path.js';
import type { Lease, LockChanged } from './protocol.js';

/** How many ended tokens a book remembers, to ignore a grant announced after its own end. */
const ENDED_MEMORY = 4_096;

const byPath = (a: Lease, b: Lease): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.token - b.token);

/**
 * One client's view of the live leases of one resource: the `resource:join` snapshot kept up to
 * date by `lock:changed` deltas.
 *
 * The gateway puts the socket in the resource's room before it reads the snapshot, so deltas can
 * arrive before the join ack, and a delta from another gateway can overtake the snapshot. The book
 * is correct in every interleaving because tokens are unique and never come back: a grant heard
 * before the snapshot is kept even if the snapshot was read before it, and an ended token stays
 * ended whatever arrives later. Deltas of different gateways can also overtake each other (bob's
 * new lease before the end of alice's on the same field); the store never grants overlapping
 * fields to two sessions at once, so of two such leases the newer token wins and the older one is
 * taken as ended. Call `clear` when the connection drops or the resource is left (the
 * next join's snapshot starts a new view): deltas sent meanwhile never arrive.
 */
export class LeaseBook {
  private live = new Map<number, Lease>();
  private readonly ended = new Set<number>();
  private cached: readonly Lease[] | undefined;

  /** Applies one `lock:changed` delta: grants first, then ends (a token in both ended). */
  apply(event: LockChanged): void {
    for (const grant of event.acquired) this.admit({ ...grant, ref: event.ref });
    for (const { token } of event.released) this.end(token);
    this.cached = undefined;
  }

  /** The join ack's leases, merged with the deltas heard since the connection was made. */
  snapshot(leases: readonly Lease[]): void {
    const heard = this.live;
    this.live = new Map();
    for (const lease of leases) this.admit(lease);
    for (const lease of heard.values()) if (!this.live.has(lease.token)) this.admit(lease);
    this.cached = undefined;
  }

  /** Forgets everything (the connection dropped: the next snapshot is the truth). */
  clear(): void {
    this.live.clear();
    this.ended.clear();
    this.cached = undefined;
  }

  /** The live leases, by path. */
  leases(): readonly Lease[] {
    this.cached ??= [...this.live.values()].sort(byPath);
    return this.cached;
  }

  private admit(lease: Lease): void {
    if (this.ended.has(lease.token)) return;
    for (const held of this.live.values()) {
      if (held.token === lease.token || held.sessionId === lease.sessionId || !overlaps(held.path, lease.path)) continue;
      // Two sessions never hold overlapping fields at once: the older lease had ended.
      if (held.token > lease.token) {
        this.end(lease.token);
        return;
      }
      this.end(held.token);
    }
    this.live.set(lease.token, lease);
  }

  private end(token: number): void {
    this.live.delete(token);
    this.ended.add(token);
    if (this.ended.size > ENDED_MEMORY) {
      // Sets iterate in insertion order: drop the oldest end.
      const oldest = this.ended.values().next();
      if (oldest.done !== true) this.ended.delete(oldest.value);
    }
  }
}
