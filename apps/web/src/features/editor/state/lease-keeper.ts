import { isAncestor, type FieldPath, type Lease, type ResourceRef } from '@tandem/sync';
import { TandemRequestError, type TandemClient } from '@tandem/sync/client';
import type { FieldLeases } from './editing-session.js';

/** Renew held leases this often while the user keeps typing in them. */
export const RENEW_EVERY_MS = 5_000;
/** Release a lease after this long without an edit in its field. */
export const RELEASE_AFTER_IDLE_MS = 10_000;
const TICK_MS = 1_000;

interface HeldLease {
  lease: Lease;
  lastEdit: number;
  lastRenew: number;
}

/** Why a lease could not be had: someone else holds an overlapping field. */
export interface LeaseRefusal {
  readonly path: FieldPath;
  readonly holder?: string;
  readonly message: string;
}

/**
 * The leases this editor holds on one resource: acquired on the first edit in a field, renewed
 * every 5 s while the user keeps editing it, released after 10 s without edits, on blur and on save.
 */
export class LeaseKeeper implements FieldLeases {
  private readonly held = new Map<FieldPath, HeldLease>();
  private readonly pending = new Set<FieldPath>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: TandemClient,
    private readonly ref: ResourceRef,
    private readonly onRefused: (refusal: LeaseRefusal) => void,
  ) {
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** The user edited `path`: make sure this session holds it (or a field around it). */
  edited(path: FieldPath): void {
    const now = Date.now();
    for (const [heldPath, held] of this.held) {
      if (heldPath === path || isAncestor(heldPath, path)) {
        held.lastEdit = now;
        return;
      }
    }
    if (this.pending.has(path)) return;
    this.pending.add(path);
    this.client.request('lock:acquire', { ref: this.ref, path }).then(
      ({ lease }) => {
        this.pending.delete(path);
        this.held.set(lease.path, { lease, lastEdit: Date.now(), lastRenew: Date.now() });
      },
      (error: unknown) => {
        this.pending.delete(path);
        if (error instanceof TandemRequestError && error.failure.code === 'locked') {
          this.onRefused({ path, holder: error.failure.details.holder.owner, message: error.message });
        } else if (error instanceof Error) {
          this.onRefused({ path, message: error.message });
        }
      },
    );
  }

  /** Paths this session holds right now. */
  paths(): FieldPath[] {
    return [...this.held.keys()];
  }

  /** Gives every lease back (blur, save, closing the tab). */
  releaseAll(): void {
    for (const path of [...this.held.keys()]) this.release(path);
  }

  /** Forgets leases without telling the gateway: it drops them itself when the socket goes. */
  forget(): void {
    this.held.clear();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.releaseAll();
  }

  private release(path: FieldPath): void {
    const held = this.held.get(path);
    if (held === undefined) return;
    this.held.delete(path);
    this.client.request('lock:release', { ref: this.ref, path, token: held.lease.token }).catch(() => undefined);
  }

  private tick(): void {
    const now = Date.now();
    for (const [path, held] of [...this.held]) {
      if (now - held.lastEdit >= RELEASE_AFTER_IDLE_MS) {
        this.release(path);
      } else if (now - held.lastRenew >= RENEW_EVERY_MS) {
        held.lastRenew = now;
        this.client.request('lock:renew', { ref: this.ref, path, token: held.lease.token }).then(
          ({ lease }) => {
            const current = this.held.get(path);
            if (current !== undefined) current.lease = lease;
          },
          // The lease lapsed or was taken: the next edit acquires it again.
          () => this.held.delete(path),
        );
      }
    }
  }
}
