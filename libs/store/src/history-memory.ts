/**
 * The in-process edit history of the embedded gateway: a global log and one log per resource,
 * both in id order, trimmed by the same retention as the Redis streams. Lost on restart.
 */
import {
  assertHistoryQuery,
  assertRetention,
  compareHistoryIds,
  DEFAULT_HISTORY_RETENTION,
  historyResourceKey,
  matchesHistory,
  parseHistoryId,
  recordResourceKey,
  type HistoryEntry,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryRetention,
  type HistoryStore,
} from './history-ports.js';
import type { Clock } from './clock.js';
import { assertTtl } from './errors.js';

export class MemoryHistoryStore implements HistoryStore {
  private readonly log: HistoryEntry[] = [];
  private readonly byResource = new Map<string, HistoryEntry[]>();
  private readonly byActor = new Map<string, HistoryEntry[]>();
  private last = { ms: 0, seq: 0 };
  /** onceKey -> until when it suppresses another append. */
  private readonly once = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly retention: HistoryRetention = DEFAULT_HISTORY_RETENTION,
  ) {
    assertRetention(retention);
  }

  async append(record: HistoryRecord): Promise<HistoryEntry> {
    const now = this.clock.now();
    // Like Redis, a clock that steps back keeps the last time and bumps the sequence.
    this.last = now > this.last.ms ? { ms: now, seq: 0 } : { ms: this.last.ms, seq: this.last.seq + 1 };
    const entry: HistoryEntry = { ...record, id: `${this.last.ms}-${this.last.seq}`, at: this.last.ms };
    const key = recordResourceKey(record.ref);
    const resourceLog = this.byResource.get(key) ?? [];
    this.byResource.set(key, resourceLog);
    const actorLog = this.byActor.get(record.actor) ?? [];
    this.byActor.set(record.actor, actorLog);
    this.log.push(entry);
    resourceLog.push(entry);
    actorLog.push(entry);
    const oldest = now - this.retention.maxAgeMs;
    trim(this.log, this.retention.maxEntries, oldest);
    // As with the Redis streams, a resource's log is trimmed when that resource gets an entry.
    trim(resourceLog, this.retention.maxEntriesPerResource, oldest);
    trim(actorLog, this.retention.maxEntries, oldest);
    return entry;
  }

  async appendOnce(onceKey: string, windowMs: number, record: HistoryRecord): Promise<HistoryEntry | undefined> {
    assertTtl(windowMs);
    const now = this.clock.now();
    for (const [key, until] of this.once) if (until <= now) this.once.delete(key);
    if (this.once.has(onceKey)) return undefined;
    this.once.set(onceKey, now + windowMs);
    return this.append(record);
  }

  async query(query: HistoryQuery): Promise<HistoryPage> {
    assertHistoryQuery(query);
    const resource = historyResourceKey(query);
    // The narrowest log that holds every match, as the Redis adapter picks its stream.
    const entries = resource !== undefined ? (this.byResource.get(resource) ?? []) : query.user !== undefined ? (this.byActor.get(query.user) ?? []) : this.log;
    const start = query.cursor === undefined ? entries.length - 1 : firstAtOrAfter(entries, query.cursor) - 1;
    const page: HistoryEntry[] = [];
    for (let i = start; i >= 0; i--) {
      const entry = entries[i];
      if (entry === undefined) continue;
      if (query.since !== undefined && entry.at < query.since) break;
      if (!matchesHistory(entry, query)) continue;
      if (page.length === query.limit) return { entries: page, nextCursor: page[page.length - 1]?.id ?? entry.id };
      page.push(entry);
    }
    return { entries: page };
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    if (parseHistoryId(id) === undefined) return undefined;
    const entry = this.log[firstAtOrAfter(this.log, id)];
    return entry?.id === id ? entry : undefined;
  }
}

function trim(entries: HistoryEntry[], max: number, oldestMs: number): void {
  let drop = Math.max(0, entries.length - max);
  while (drop < entries.length && (entries[drop]?.at ?? Infinity) < oldestMs) drop++;
  if (drop > 0) entries.splice(0, drop);
}

/** Index of the first entry whose id is not older than `id` (binary search over the id-ordered log). */
function firstAtOrAfter(entries: readonly HistoryEntry[], id: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const candidate = entries[mid];
    if (candidate !== undefined && compareHistoryIds(candidate.id, id) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
