import { Injectable, Logger } from '@nestjs/common';
import { TypedEmitter, type FieldChange, type ResourceRef } from '@tandem/sync';

export type EditOutcome = 'applied' | 'dry-run' | 'blocked-stale' | 'blocked-locked' | 'rejected-by-cluster' | 'invalid';

/** One save attempt and how it ended, for the edit history. */
export interface EditEvent {
  readonly outcome: EditOutcome;
  /** The Tandem user who saved. */
  readonly actor: string;
  readonly sessionId: string;
  readonly ref: ResourceRef;
  /** The version the user edited. */
  readonly baseResourceVersion: string;
  /** The cluster's version when the save was decided, when it was read. */
  readonly currentResourceVersion?: string;
  /** The version the save produced (applied, dry-run). */
  readonly resourceVersion?: string;
  /** The user's field changes (base -> edited), when they could be computed. */
  readonly changes: readonly FieldChange[];
  /** What changed upstream (blocked-stale). */
  readonly upstream?: readonly FieldChange[];
  /** Why the save did not apply. */
  readonly message?: string;
  /** The cluster's HTTP status when it refused the write (rejected-by-cluster). */
  readonly code?: number;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** In-process bus of save attempts; the edit history and the metrics subscribe. Listeners run synchronously; one that throws is logged and the others still run. */
@Injectable()
export class EditEvents {
  private readonly logger = new Logger(EditEvents.name);
  private readonly emitter = new TypedEmitter<{ attempt: [EditEvent] }>({
    onListenerError: (error) => this.logger.warn(`an edit event listener failed: ${error instanceof Error ? error.message : String(error)}`),
  });

  subscribe(listener: (event: EditEvent) => void): () => void {
    return this.emitter.on('attempt', listener);
  }

  emit(event: EditEvent): void {
    this.emitter.emit('attempt', event);
  }
}
