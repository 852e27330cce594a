/**
 * The edit history in Redis Streams: one global stream and one stream per resource, each entry a
 * JSON field `e`. Both streams get the same id from one script, so an entry is ordered the same
 * way in either, and both are trimmed by count (MAXLEN) and age (MINID) on every append.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ResourceRefSchema } from '@tandem/sync';
import {
  assertHistoryQuery,
  assertRetention,
  DEFAULT_HISTORY_RETENTION,
  HISTORY_ACTIONS,
  HISTORY_OUTCOMES,
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
import { assertTtl } from './errors.js';

/**
 * KEYS: global stream, resource stream, actor stream. ARGV: entry JSON, max entries, max per
 * resource, max age ms. Returns the id. The actor stream keeps as many entries as the global one.
 */
export const APPEND_HISTORY = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'e', ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id, 'e', ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], id, 'e', ARGV[1])
local minid = string.format('%d', now - tonumber(ARGV[4]))
for i = 1, 3 do redis.call('XTRIM', KEYS[i], 'MINID', minid) end
return id
`;

// Values came out of JSON.parse, so they are JSON by construction; checking them again would only cost time.
const FieldChangeSchema = z.object({
  path: z.string(),
  op: z.enum(['add', 'remove', 'replace']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

const StoredRecordSchema = z.object({
  actor: z.string(),
  outside: z.boolean(),
  ref: ResourceRefSchema,
  action: z.enum(HISTORY_ACTIONS),
  outcome: z.enum(HISTORY_OUTCOMES),
  fromResourceVersion: z.string().optional(),
  toResourceVersion: z.string().optional(),
  changes: z.array(FieldChangeSchema),
  error: z.object({ code: z.number().int().optional(), message: z.string() }).optional(),
  holder: z.string().optional(),
});

type StreamReply = [id: string, fields: string[]][];

export class HistoryDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryDataError';
  }
}

export class RedisHistoryStore implements HistoryStore {
  constructor(
    private readonly redis: Redis,
    /** The store's hash tag, `{prefix}`. */
    private readonly tag: string,
    private readonly retention: HistoryRetention = DEFAULT_HISTORY_RETENTION,
  ) {
    assertRetention(retention);
    redis.defineCommand('tandemAppendHistory', { lua: APPEND_HISTORY, numberOfKeys: 3 });
  }

  /** The global stream's key (for inspection and tests). */
  get globalKey(): string {
    return `${this.tag}:history`;
  }

  resourceStreamKey(resource: string): string {
    return `${this.tag}:history-resource:${resource}`;
  }

  actorStreamKey(actor: string): string {
    return `${this.tag}:history-actor:${encodeURIComponent(actor)}`;
  }

  async append(record: HistoryRecord): Promise<HistoryEntry> {
    const command: unknown = Reflect.get(this.redis, 'tandemAppendHistory');
    if (typeof command !== 'function') throw new Error('Redis script tandemAppendHistory is not defined on the connection');
    const { maxEntries, maxEntriesPerResource, maxAgeMs } = this.retention;
    const reply: unknown = await command.call(this.redis, this.globalKey, this.resourceStreamKey(recordResourceKey(record.ref)), this.actorStreamKey(record.actor), JSON.stringify(record), maxEntries, maxEntriesPerResource, maxAgeMs);
    const id = typeof reply === 'string' ? reply : undefined;
    const parsed = id === undefined ? undefined : parseHistoryId(id);
    if (id === undefined || parsed === undefined) throw new HistoryDataError(`Unexpected Redis reply to a history append: ${String(reply)}`);
    return { ...record, id, at: parsed.ms };
  }

  async appendOnce(onceKey: string, windowMs: number, record: HistoryRecord): Promise<HistoryEntry | undefined> {
    assertTtl(windowMs);
    const taken = await this.redis.set(`${this.tag}:history-once:${encodeURIComponent(onceKey)}`, '1', 'PX', windowMs, 'NX');
    return taken === 'OK' ? this.append(record) : undefined;
  }

  async query(query: HistoryQuery): Promise<HistoryPage> {
    assertHistoryQuery(query);
    const resource = historyResourceKey(query);
    // The narrowest stream that holds every match: the resource's, else the actor's, else the global one.
    const key = resource !== undefined ? this.resourceStreamKey(resource) : query.user !== undefined ? this.actorStreamKey(query.user) : this.globalKey;
    const { group, version, user, outcome, context, resource: plural, namespace, name } = query;
    const filtered = [group, version, outcome, ...(resource === undefined ? [context, plural, namespace, name] : [user])].some((value) => value !== undefined);
    // Without a filter beyond time the next limit+1 entries are the page; with one, read in larger batches.
    const batch = filtered ? Math.max(500, query.limit + 1) : query.limit + 1;
    const start = query.since === undefined ? '-' : String(query.since);
    let end = query.cursor !== undefined ? `(${query.cursor}` : query.until !== undefined ? String(query.until) : '+';
    const page: HistoryEntry[] = [];
    for (;;) {
      const reply = (await this.redis.xrevrange(key, end, start, 'COUNT', batch)) as StreamReply;
      for (const [id, fields] of reply) {
        const raw = this.rawEntry(id, fields);
        // Filter on the parsed JSON first; only entries that make the page are validated in full.
        if (!matchesHistory(raw, query)) continue;
        if (page.length === query.limit) return { entries: page, nextCursor: page[page.length - 1]?.id ?? id };
        page.push(this.validate(raw));
      }
      const last = reply[reply.length - 1];
      if (reply.length < batch || last === undefined) return { entries: page };
      end = `(${last[0]}`;
    }
  }

  async get(id: string): Promise<HistoryEntry | undefined> {
    if (parseHistoryId(id) === undefined) return undefined;
    const reply = (await this.redis.xrange(this.globalKey, id, id)) as StreamReply;
    const first = reply[0];
    return first === undefined ? undefined : this.decode(first[0], first[1]);
  }

  private decode(id: string, fields: readonly string[]): HistoryEntry {
    return this.validate(this.rawEntry(id, fields));
  }

  /** The stored JSON with id and time, shaped enough for matchesHistory to read; not yet validated. */
  private rawEntry(id: string, fields: readonly string[]): HistoryEntry {
    const at = parseHistoryId(id)?.ms;
    const index = fields.indexOf('e');
    const raw = index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
    if (at === undefined || raw === undefined) throw new HistoryDataError(`History entry ${id} in Redis has no entry field; was the stream written by another program?`);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new HistoryDataError(`History entry ${id} in Redis is not JSON: ${raw.slice(0, 200)}`);
    }
    if (typeof value !== 'object' || value === null || typeof Reflect.get(value, 'ref') !== 'object' || Reflect.get(value, 'ref') === null) {
      throw new HistoryDataError(`History entry ${id} in Redis has an unexpected shape; was the stream written by another program?`);
    }
    return { ...(value as HistoryRecord), id, at };
  }

  private validate(raw: HistoryEntry): HistoryEntry {
    const { id, at, ...stored } = raw;
    const parsed = StoredRecordSchema.safeParse(stored);
    if (!parsed.success) throw new HistoryDataError(`History entry ${id} in Redis has an unexpected shape: ${parsed.error.message}`);
    return { ...(parsed.data as HistoryRecord), id, at };
  }
}

