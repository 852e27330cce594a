/**
 * The edit history's wire types, shared by the store that keeps entries, the gateway that serves
 * them (`GET /api/history`) and the web client that validates what it receives.
 */
import { z } from 'zod';
import type { FieldChange } from '../diff.js';
import type { ResourceRef } from '../resource-ref.js';

/**
 * How a save attempt ended; `observed` is a change made outside Tandem (kubectl, a controller);
 * `blocked-by-lease` is an outside write the admission webhook refused or warned about because it
 * changed a field someone holds a lease on.
 */
export const HISTORY_OUTCOMES = ['applied', 'dry-run', 'blocked-stale', 'blocked-locked', 'rejected-by-cluster', 'invalid', 'observed', 'blocked-by-lease'] as const;
export type HistoryOutcome = (typeof HISTORY_OUTCOMES)[number];

/** `save` for a Tandem save attempt; the watch event type, lower-cased, for an outside change. */
export const HISTORY_ACTIONS = ['save', 'create', 'update', 'delete'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** What the gateway records; the store adds the id and the time. */
export interface HistoryRecord {
  /** The Tandem user, or for an outside change the field manager (`kubectl-edit`, a controller's name). */
  readonly actor: string;
  /** True when the change did not come through Tandem's guarded save. */
  readonly outside: boolean;
  readonly ref: ResourceRef;
  readonly action: HistoryAction;
  readonly outcome: HistoryOutcome;
  /** The version the change started from (the save's base; the previous observed version). */
  readonly fromResourceVersion?: string;
  /** The version it produced (applied, dry-run, observed), or the cluster's version that blocked it. */
  readonly toResourceVersion?: string;
  /** Field-level changes; Secret values already redacted by the caller. */
  readonly changes: readonly FieldChange[];
  /** Why it did not apply: the cluster's HTTP status for `rejected-by-cluster`, and a message. */
  readonly error?: { readonly code?: number; readonly message: string };
  /** `blocked-by-lease`: who holds the lease the write ran into (the requester is `actor`). */
  readonly holder?: string;
}

export interface HistoryEntry extends HistoryRecord {
  /** Unique and ordered by recording time: `<epoch ms>-<sequence>`, a Redis stream id. */
  readonly id: string;
  /** Epoch milliseconds when the store recorded the entry (the id's time). */
  readonly at: number;
}

/** One page of a history query, newest first; `nextCursor` continues it. */
export interface HistoryPage {
  readonly entries: HistoryEntry[];
  /** Present when older matching entries remain. */
  readonly nextCursor?: string;
}

const fieldChangeSchema = z.object({
  path: z.string(),
  op: z.enum(['add', 'remove', 'replace']),
  before: z.json().optional(),
  after: z.json().optional(),
});

export const HistoryEntrySchema = z.object({
  id: z.string().min(1),
  at: z.number(),
  actor: z.string(),
  outside: z.boolean(),
  ref: z.object({
    context: z.string(),
    group: z.string(),
    version: z.string(),
    resource: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
  }),
  action: z.enum(HISTORY_ACTIONS),
  outcome: z.enum(HISTORY_OUTCOMES),
  fromResourceVersion: z.string().optional(),
  toResourceVersion: z.string().optional(),
  changes: z.array(fieldChangeSchema),
  error: z.object({ code: z.number().optional(), message: z.string() }).optional(),
  holder: z.string().optional(),
});

export const HistoryPageSchema = z.object({ entries: z.array(HistoryEntrySchema), nextCursor: z.string().optional() });
