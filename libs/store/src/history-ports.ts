/**
 * The edit history port: every save attempt and every change observed from outside Tandem,
 * newest first, paged by cursor. Redis Streams in production (history-redis.ts), an in-process
 * log for the embedded gateway (history-memory.ts); both pass history-contract.spec.ts.
 */
import type { HistoryEntry, HistoryOutcome, HistoryPage, HistoryRecord, ResourceRef } from '@tandem/sync';
import { StoreArgumentError } from './errors.js';

export { HISTORY_ACTIONS, HISTORY_OUTCOMES, type HistoryAction, type HistoryEntry, type HistoryOutcome, type HistoryPage, type HistoryRecord } from '@tandem/sync';

export interface HistoryFilter {
  readonly context?: string;
  readonly group?: string;
  readonly version?: string;
  readonly resource?: string;
  /** `''` selects cluster-scoped objects. */
  readonly namespace?: string;
  readonly name?: string;
  readonly user?: string;
  readonly outcome?: HistoryOutcome;
  /** Inclusive epoch milliseconds. */
  readonly since?: number;
  /** Inclusive epoch milliseconds. */
  readonly until?: number;
}

export interface HistoryQuery extends HistoryFilter {
  /** The `nextCursor` of the previous page; the page starts just after (older than) it. */
  readonly cursor?: string;
  /** 1..1000. */
  readonly limit: number;
}

export interface HistoryRetention {
  /** Most entries kept overall, and per actor. */
  readonly maxEntries: number;
  /** Most entries kept per resource. */
  readonly maxEntriesPerResource: number;
  /** Entries older than this are dropped (on the next append). */
  readonly maxAgeMs: number;
}

export const DEFAULT_HISTORY_RETENTION: HistoryRetention = { maxEntries: 100_000, maxEntriesPerResource: 1_000, maxAgeMs: 30 * 24 * 3_600_000 };
export const MAX_HISTORY_PAGE = 1_000;

export interface HistoryStore {
  /** Records one entry; entries appended later always sort newer. */
  append(record: HistoryRecord): Promise<HistoryEntry>;
  /**
   * Records the entry unless one with the same `onceKey` was recorded in the last `windowMs`, so
   * that several gateways watching one object record an outside change once; undefined when skipped.
   */
  appendOnce(onceKey: string, windowMs: number, record: HistoryRecord): Promise<HistoryEntry | undefined>;
  /** One page of matching entries, newest first. A stable order: appends never shift a later page. */
  query(query: HistoryQuery): Promise<HistoryPage>;
  /** One entry by id, when still retained. */
  get(id: string): Promise<HistoryEntry | undefined>;
}

const ID = /^(\d{1,16})-(\d{1,16})$/;

/** The id's parts as numbers, or undefined for a malformed id (a cursor from outside). */
export function parseHistoryId(id: string): { readonly ms: number; readonly seq: number } | undefined {
  const match = ID.exec(id);
  if (!match?.[1] || !match[2]) return undefined;
  return { ms: Number(match[1]), seq: Number(match[2]) };
}

export function compareHistoryIds(a: string, b: string): number {
  const left = parseHistoryId(a);
  const right = parseHistoryId(b);
  if (!left || !right) throw new StoreArgumentError(`not a history id: ${left ? b : a}`);
  return left.ms - right.ms || left.seq - right.seq;
}

export function assertHistoryQuery(query: HistoryQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_HISTORY_PAGE) throw new StoreArgumentError(`limit must be an integer from 1 to ${MAX_HISTORY_PAGE}, got ${query.limit}`);
  if (query.cursor !== undefined && parseHistoryId(query.cursor) === undefined) throw new StoreArgumentError(`cursor must be a nextCursor from a previous page, got ${JSON.stringify(query.cursor)}`);
}

export function assertRetention(retention: HistoryRetention): void {
  for (const [name, value] of Object.entries(retention)) {
    if (!Number.isInteger(value) || (value as number) <= 0) throw new StoreArgumentError(`history retention ${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Whether an entry passes a filter (both adapters apply this same rule). */
export function matchesHistory(entry: HistoryEntry, filter: HistoryFilter): boolean {
  const { ref } = entry;
  return (
    (filter.context === undefined || ref.context === filter.context) &&
    (filter.group === undefined || ref.group === filter.group) &&
    (filter.version === undefined || ref.version === filter.version) &&
    (filter.resource === undefined || ref.resource === filter.resource) &&
    (filter.namespace === undefined || (ref.namespace ?? '') === filter.namespace) &&
    (filter.name === undefined || ref.name === filter.name) &&
    (filter.user === undefined || entry.actor === filter.user) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome) &&
    (filter.since === undefined || entry.at >= filter.since) &&
    (filter.until === undefined || entry.at <= filter.until)
  );
}

/** The per-resource log a filter can be answered from, when it names one object. */
export function historyResourceKey(filter: Pick<HistoryFilter, 'context' | 'resource' | 'namespace' | 'name'>): string | undefined {
  if (filter.context === undefined || filter.resource === undefined || filter.namespace === undefined || filter.name === undefined) return undefined;
  return [filter.context, filter.resource, filter.namespace, filter.name].map((part) => encodeURIComponent(part)).join('/');
}

export function recordResourceKey(ref: ResourceRef): string {
  return historyResourceKey({ context: ref.context, resource: ref.resource, namespace: ref.namespace ?? '', name: ref.name }) ?? '';
}
