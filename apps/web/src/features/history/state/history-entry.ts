import {
  applyChanges,
  HistoryPageSchema,
  isJsonObject,
  isRedactedValue,
  textEdits,
  type FieldChange,
  type HistoryEntry,
  type HistoryOutcome,
  type HistoryPage,
  type JsonObject,
  type JsonValue,
  type TextEdit,
} from '@tandem/sync';

export { HISTORY_OUTCOMES, type HistoryEntry, type HistoryOutcome, type HistoryPage } from '@tandem/sync';

/** Validates the gateway's answer to a history query (the schema is shared with the gateway's store). */
export function parseHistoryPage(body: unknown): HistoryPage {
  const parsed = HistoryPageSchema.safeParse(body);
  if (!parsed.success) throw new Error(`The gateway's history answer has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
  return parsed.data;
}

/** The filters of the history page, as typed (empty text means "any"). */
export interface HistoryFilters {
  readonly context: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly user: string;
  readonly outcome: HistoryOutcome | '';
  /** `datetime-local` input values, in the browser's time zone. */
  readonly since: string;
  readonly until: string;
}

export const NO_FILTERS: HistoryFilters = { context: '', namespace: '', resource: '', name: '', user: '', outcome: '', since: '', until: '' };

/** The object whose history the editor's panel shows. */
export interface HistoryTarget {
  readonly context: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * The query string of `GET /api/history` for the page's filters. Times are sent as RFC 3339 so the
 * gateway reads them in the zone the user typed them in.
 */
export function filterSearch(filters: HistoryFilters, limit: number, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters) as [keyof HistoryFilters, string][]) {
    const text = value.trim();
    if (text === '') continue;
    if (key === 'since' || key === 'until') {
      const ms = Date.parse(text);
      if (Number.isFinite(ms)) params.set(key, new Date(ms).toISOString());
    } else params.set(key, text);
  }
  params.set('limit', String(limit));
  if (cursor !== undefined) params.set('cursor', cursor);
  return params.toString();
}

/** The query string of one object's history; `namespace=` (empty) names a cluster-scoped object. */
export function targetSearch(target: HistoryTarget, limit: number): string {
  const { context, group, version, resource, namespace, name } = target;
  return new URLSearchParams({ context, group, version, resource, namespace: namespace ?? '', name, limit: String(limit) }).toString();
}

/** How a value shows in the timeline's diff: Secret values only as "changed (hidden)". */
export function describeValue(value: JsonValue | undefined): string {
  if (value === undefined) return '(none)';
  if (isRedactedValue(value)) return 'changed (hidden)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A field change in words: `before → after`, and for a Secret value only that it changed. */
export function describeChange(change: FieldChange): string {
  if (isRedactedValue(change.before) || isRedactedValue(change.after)) {
    return change.op === 'add' ? 'added (hidden)' : change.op === 'remove' ? 'removed (hidden)' : 'changed (hidden)';
  }
  if (change.op === 'add') return `added: ${describeValue(change.after)}`;
  if (change.op === 'remove') return `removed (was ${describeValue(change.before)})`;
  return `${describeValue(change.before)} → ${describeValue(change.after)}`;
}

/** The changes that undo `changes`: each path goes back to its `before` value. */
export function invertChanges(changes: readonly FieldChange[]): FieldChange[] {
  return changes.map((change): FieldChange => {
    if (change.op === 'add') return { path: change.path, op: 'remove', ...(change.after !== undefined ? { before: change.after } : {}) };
    if (change.op === 'remove') return { path: change.path, op: 'add', ...(change.before !== undefined ? { after: change.before } : {}) };
    return { path: change.path, op: 'replace', ...(change.after !== undefined ? { before: change.after } : {}), ...(change.before !== undefined ? { after: change.before } : {}) };
  });
}

function holdsRedacted(value: JsonValue | undefined): boolean {
  if (value === undefined) return false;
  if (isRedactedValue(value)) return true;
  if (Array.isArray(value)) return value.some(holdsRedacted);
  return isJsonObject(value) && Object.values(value).some(holdsRedacted);
}

/** Why an entry cannot be restored, or null when it can. */
export function restoreBlockReason(entry: HistoryEntry): string | null {
  if (entry.outcome !== 'applied') return 'Only applied saves can be restored';
  if (entry.changes.length === 0) return 'This save changed no fields';
  if (entry.changes.some((change) => holdsRedacted(change.before))) return 'Secret values are not kept in the history, so they cannot be restored';
  return null;
}

/** `current` with every field `entry` changed put back to its value before the entry. */
export function restoredVersion(current: JsonObject, entry: HistoryEntry): JsonValue {
  return applyChanges(current, invertChanges(entry.changes), { source: current });
}

/**
 * The text edits that restore `entry` (see `restoredVersion`) in the editor's current `text` (which
 * represents `current`); minimal edits keep comments and the rest.
 */
export function restoreEdits(text: string, current: JsonObject, entry: HistoryEntry): TextEdit[] {
  return textEdits(text, current, restoredVersion(current, entry));
}
