/**
 * The Redis store: presence and leases shared by every gateway of a deployment. All keys
 * of one store share the hash tag `{prefix}`, so every script's keys sit in one slot; each
 * mutation is one Lua script (redis-scripts.ts), which makes it atomic across gateways.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { parseResourceKey, resourceKey, type FieldPath, type Lease, type PresenceSession, type PresenceSummary, type ResourceRef } from '@tandem/sync';
import { assertSessionId, assertTtl, StoreArgumentError } from './errors.js';
import {
  byPath,
  byUserThenSession,
  summarize,
  type LeaseGrant,
  type LeaseRelease,
  type LeaseRenewal,
  type LeaseRequest,
  type LeaseStore,
  type PresenceEntry,
  type PresenceStore,
  type Store,
} from './ports.js';
import {
  ACQUIRE_LEASE,
  BLOCKING_LEASES,
  EXPIRE_PRESENCE,
  LIVE_LEASES,
  LIVE_PRESENCE,
  RELEASE_LEASE,
  RELEASE_SESSION_LEASES,
  RENEW_LEASE,
  REMOVE_PRESENCE,
  UPSERT_PRESENCE,
} from './redis-scripts.js';
import { RedisHistoryStore } from './history-redis.js';
import { redisServerTime } from './redis-time.js';
import type { HistoryRetention } from './history-ports.js';

export interface RedisStoreOptions {
  /** `redis://host:port/db`; ignored when `redis` is given. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** A connection to use; the store leaves it open on `close()`, as its owner closes it. */
  readonly redis?: Redis;
  /** Namespace of every key (hash tag `{prefix}`), so several deployments or test runs share one Redis. Default `tandem`. */
  readonly prefix?: string;
  readonly historyRetention?: HistoryRetention;
}

/** Thrown when Redis holds something the store did not write (another program, an older format). */
export class StoreDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreDataError';
  }
}

const SCRIPTS = {
  tandemAcquireLease: { lua: ACQUIRE_LEASE, numberOfKeys: 6 },
  tandemRenewLease: { lua: RENEW_LEASE, numberOfKeys: 5 },
  tandemReleaseLease: { lua: RELEASE_LEASE, numberOfKeys: 4 },
  tandemReleaseSessionLeases: { lua: RELEASE_SESSION_LEASES, numberOfKeys: 5 },
  tandemLiveLeases: { lua: LIVE_LEASES, numberOfKeys: 4 },
  tandemBlockingLeases: { lua: BLOCKING_LEASES, numberOfKeys: 4 },
  tandemUpsertPresence: { lua: UPSERT_PRESENCE, numberOfKeys: 5 },
  tandemRemovePresence: { lua: REMOVE_PRESENCE, numberOfKeys: 5 },
  tandemLivePresence: { lua: LIVE_PRESENCE, numberOfKeys: 2 },
  tandemExpirePresence: { lua: EXPIRE_PRESENCE, numberOfKeys: 4 },
} as const;
type ScriptName = keyof typeof SCRIPTS;
type ScriptArg = string | number;

/** Calls a script registered with `defineCommand` (ioredis adds it as a method at runtime). */
type RunScript = (name: ScriptName, ...args: ScriptArg[]) => Promise<unknown>;

export function createRedisStore(options: RedisStoreOptions = {}): Store {
  const prefix = options.prefix ?? 'tandem';
  if (prefix === '' || /[{}]/.test(prefix)) throw new StoreArgumentError(`prefix must be non-empty and free of '{' and '}' (it becomes the hash tag), got ${JSON.stringify(prefix)}`);
  const owned = options.redis === undefined;
  const redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379');
  for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  const run: RunScript = (name, ...args) => {
    const command: unknown = Reflect.get(redis, name);
    if (typeof command !== 'function') throw new Error(`Redis script ${name} is not defined on the connection`);
    return Promise.resolve<unknown>(command.apply(redis, args));
  };
  const keys = new StoreKeys(prefix);
  return {
    leases: new RedisLeaseStore(redis, run, keys),
    presence: new RedisPresenceStore(redis, run, keys),
    history: new RedisHistoryStore(redis, `{${prefix}}`, options.historyRetention),
    close: async () => {
      if (owned) await redis.quit();
    },
  };
}

class StoreKeys {
  private readonly tag: string;
  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
  }
  /** The four keys of a resource's leases, in the order the lease scripts take them (redis-scripts.ts). */
  leases(resource: string): [leases: string, expiry: string, paths: string, owners: string] {
    return [`${this.tag}:lease:${resource}`, `${this.tag}:lease-expiry:${resource}`, `${this.tag}:lease-paths:${resource}`, `${this.tag}:lease-owners:${resource}`];
  }
  leaseToken(): string {
    return `${this.tag}:lease-token`;
  }
  sessionLeases(sessionId: string): string {
    return `${this.tag}:lease-session:${encodeURIComponent(sessionId)}`;
  }
  presence(resource: string): string {
    return `${this.tag}:presence:${resource}`;
  }
  presenceData(resource: string): string {
    return `${this.tag}:presence-data:${resource}`;
  }
  presenceIndex(): string {
    return `${this.tag}:presence-index`;
  }
  contextPresence(context: string): string {
    return `${this.tag}:presence-context:${encodeURIComponent(context)}`;
  }
  sessionPresence(sessionId: string): string {
    return `${this.tag}:presence-session:${encodeURIComponent(sessionId)}`;
  }
  /** The keys the presence scripts take, in their KEYS order. */
  presenceKeys(ref: ResourceRef, sessionId?: string): string[] {
    const resource = resourceKey(ref);
    const keys = [this.presence(resource), this.presenceData(resource), this.presenceIndex(), this.contextPresence(ref.context)];
    return sessionId === undefined ? keys : [...keys, this.sessionPresence(sessionId)];
  }
}

// ---------------------------------------------------------------------------------------
// Reading what the scripts return

const StoredLeaseSchema = z.object({
  owner: z.string(),
  sessionId: z.string(),
  token: z.number().int().positive(),
  expiresAt: z.number(),
});

const StoredSessionSchema = z.object({
  sessionId: z.string(),
  user: z.string(),
  color: z.string(),
  field: z.string().optional(),
  selection: z
    .object({ startLine: z.number(), startColumn: z.number(), endLine: z.number(), endColumn: z.number() })
    .optional(),
  idle: z.boolean(),
  updatedAt: z.number(),
}) satisfies z.ZodType<PresenceSession>;

const StringsSchema = z.array(z.string());
const GrantReplySchema = z.tuple([z.union([z.literal(0), z.literal(1)]), z.string(), z.string()]);

function parseReply<T>(schema: z.ZodType<T>, reply: unknown, what: string): T {
  const parsed = schema.safeParse(reply);
  if (!parsed.success) throw new StoreDataError(`Unexpected Redis reply for ${what}: ${parsed.error.message}`);
  return parsed.data;
}

function parseStored<T>(schema: z.ZodType<T>, raw: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new StoreDataError(`${what} in Redis is not JSON: ${raw.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoreDataError(`${what} in Redis has an unexpected shape (${parsed.error.message}); was the key written by another program?`);
  return parsed.data;
}

function toLease(ref: ResourceRef, path: FieldPath, raw: string): Lease {
  return { ref, path, ...parseStored(StoredLeaseSchema, raw, `Lease ${path} of ${resourceKey(ref)}`) };
}

/** Turns a `{path, leaseJson, ...}` reply into leases. */
function toLeases(ref: ResourceRef, reply: unknown, what: string): Lease[] {
  const flat = parseReply(StringsSchema, reply, what);
  const leases: Lease[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) leases.push(toLease(ref, flat[i] ?? '', flat[i + 1] ?? ''));
  return leases.sort(byPath);
}

function toSession(raw: string, ref: ResourceRef): PresenceSession {
  return parseStored(StoredSessionSchema, raw, `A presence session of ${resourceKey(ref)}`);
}

// ---------------------------------------------------------------------------------------
// Leases

class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly run: RunScript,
    private readonly keys: StoreKeys,
  ) {}

  async acquire(request: LeaseRequest): Promise<LeaseGrant> {
    assertTtl(request.ttlMs);
    assertSessionId(request.sessionId);
    const resource = resourceKey(request.ref);
    const reply = await this.run(
      'tandemAcquireLease',
      ...this.keys.leases(resource),
      this.keys.leaseToken(),
      this.keys.sessionLeases(request.sessionId),
      request.path,
      request.owner,
      request.sessionId,
      request.ttlMs,
      resource,
    );
    const [granted, path, raw] = parseReply(GrantReplySchema, reply, 'lease acquire');
    const lease = toLease(request.ref, path, raw);
    return granted === 1 ? { granted: true, lease } : { granted: false, holder: lease };
  }

  async renew(request: LeaseRenewal): Promise<Lease | undefined> {
    assertTtl(request.ttlMs);
    const resource = resourceKey(request.ref);
    const reply = await this.run(
      'tandemRenewLease',
      ...this.keys.leases(resource),
      this.keys.sessionLeases(request.sessionId),
      request.path,
      request.token,
      request.sessionId,
      request.ttlMs,
      resource,
    );
    if (reply === null) return undefined;
    return toLease(request.ref, request.path, parseReply(z.string(), reply, 'lease renew'));
  }

  async release(request: LeaseRelease): Promise<boolean> {
    const reply = await this.run('tandemReleaseLease', ...this.keys.leases(resourceKey(request.ref)), request.path, request.token, request.sessionId);
    return parseReply(z.number(), reply, 'lease release') === 1;
  }

  async releaseSession(sessionId: string): Promise<Lease[]> {
    const indexKey = this.keys.sessionLeases(sessionId);
    const resources = await this.redis.smembers(indexKey);
    const released = await Promise.all(resources.map((resource) => this.releaseOn(parseResourceKey(resource), sessionId, [])));
    await this.redis.del(indexKey);
    return released.flat();
  }

  releasePaths(ref: ResourceRef, sessionId: string, paths: readonly FieldPath[]): Promise<Lease[]> {
    if (paths.length === 0) return Promise.resolve([]);
    return this.releaseOn(ref, sessionId, paths);
  }

  async list(ref: ResourceRef): Promise<Lease[]> {
    return toLeases(ref, await this.run('tandemLiveLeases', ...this.keys.leases(resourceKey(ref))), 'lease list');
  }

  async blocking(ref: ResourceRef, paths: readonly FieldPath[], sessionId: string): Promise<Lease[]> {
    if (paths.length === 0) return [];
    const reply = await this.run('tandemBlockingLeases', ...this.keys.leases(resourceKey(ref)), sessionId, ...paths);
    return toLeases(ref, reply, 'blocking leases');
  }

  /** Ends the session's leases on `ref` overlapping `paths`, or all of them when `paths` is empty. */
  private async releaseOn(ref: ResourceRef, sessionId: string, paths: readonly FieldPath[]): Promise<Lease[]> {
    const resource = resourceKey(ref);
    const reply = await this.run('tandemReleaseSessionLeases', ...this.keys.leases(resource), this.keys.sessionLeases(sessionId), sessionId, resource, ...paths);
    return toLeases(ref, reply, 'lease release by session');
  }
}

// ---------------------------------------------------------------------------------------
// Presence

class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly run: RunScript,
    private readonly keys: StoreKeys,
  ) {}

  async upsert(ref: ResourceRef, session: PresenceSession, ttlMs: number): Promise<'joined' | 'updated'> {
    assertTtl(ttlMs);
    assertSessionId(session.sessionId);
    const reply = await this.run('tandemUpsertPresence', ...this.keys.presenceKeys(ref, session.sessionId), session.sessionId, JSON.stringify(session), ttlMs, resourceKey(ref));
    return parseReply(z.enum(['joined', 'updated']), reply, 'presence upsert');
  }

  async remove(ref: ResourceRef, sessionId: string): Promise<PresenceSession | undefined> {
    const reply = await this.run('tandemRemovePresence', ...this.keys.presenceKeys(ref, sessionId), sessionId, resourceKey(ref));
    return reply === null ? undefined : toSession(parseReply(z.string(), reply, 'presence remove'), ref);
  }

  async list(ref: ResourceRef): Promise<PresenceSession[]> {
    const [zkey, dkey] = this.keys.presenceKeys(ref);
    const reply = await this.run('tandemLivePresence', zkey ?? '', dkey ?? '');
    return parseReply(StringsSchema, reply, 'presence list')
      .map((raw) => toSession(raw, ref))
      .sort(byUserThenSession);
  }

  async summary(context: string): Promise<PresenceSummary> {
    const resources = await this.redis.smembers(this.keys.contextPresence(context));
    const perResource = await Promise.all(
      resources.map(async (resource) => {
        const ref = parseResourceKey(resource);
        return (await this.list(ref)).map((session): PresenceEntry => ({ ref, session }));
      }),
    );
    return summarize(context, perResource.flat());
  }

  async removeSession(sessionId: string): Promise<PresenceEntry[]> {
    const indexKey = this.keys.sessionPresence(sessionId);
    const resources = await this.redis.smembers(indexKey);
    const removed = await Promise.all(
      resources.map(async (resource): Promise<PresenceEntry | undefined> => {
        const ref = parseResourceKey(resource);
        const session = await this.remove(ref, sessionId);
        return session && { ref, session };
      }),
    );
    await this.redis.del(indexKey);
    return removed.filter((entry): entry is PresenceEntry => entry !== undefined);
  }

  async expire(now?: number): Promise<PresenceEntry[]> {
    const at = now ?? (await redisServerTime(this.redis));
    const resources = await this.redis.zrangebyscore(this.keys.presenceIndex(), '-inf', at);
    const expired = await Promise.all(
      resources.map(async (resource) => {
        const ref = parseResourceKey(resource);
        const reply = await this.run('tandemExpirePresence', ...this.keys.presenceKeys(ref), resource, at);
        return parseReply(StringsSchema, reply, 'presence expire').map((raw): PresenceEntry => ({ ref, session: toSession(raw, ref) }));
      }),
    );
    return expired.flat();
  }
}
