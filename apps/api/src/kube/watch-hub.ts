import {
  diffFields,
  isBookkeepingOnly,
  listKey,
  listRefOf,
  resourceKey,
  resourceRefIn,
  resourceTypeOf,
  TypedEmitter,
  type JsonObject,
  type ListChanged,
  type ResourceChanged,
  type ResourceListRef,
  type ResourceTypeRef,
  type WatchEventType,
} from '@tandem/sync';
import type { KubeList, KubeWatchEvent } from './kube-client.js';
import { kubeObjectSchema, type KubeObject } from './kube.schemas.js';

/** What one shared watch covers: a resource type in a context, in one namespace or cluster-wide (canonical: `listRefOf`). */
export type WatchTarget = ResourceListRef;

/** The cluster calls a shared watch needs; `KubeClient` provides them. */
export interface WatchSource {
  list(type: ResourceTypeRef, namespace?: string): Promise<KubeList>;
  watch(
    type: ResourceTypeRef,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: KubeWatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void>;
}

/** One change seen by a shared watch, ready for the rooms of its object and of its list. */
export interface HubChange {
  /** `resourceKey` of the object: its room is `rooms.resource(resourceKey)`. */
  readonly resourceKey: string;
  /** `listKey` of the watch: its room is `rooms.list(listKey)`. */
  readonly listKey: string;
  readonly resource: ResourceChanged;
  readonly list: ListChanged;
}

/** How a broken watch reconnects. */
type Backoff = Required<Pick<WatchHubOptions, 'initialBackoffMs' | 'maxBackoffMs'>>;

export interface WatchHubOptions {
  /** First reconnect delay; doubles per failed attempt. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Where an error thrown by a change listener goes (the other listeners still run). */
  readonly onListenerError?: (error: unknown) => void;
}

/** The watched objects of one shared watch, for answering `resource:join` from the same state the events follow. */
export interface WatchedList {
  get(namespace: string | undefined, name: string): KubeObject | undefined;
}


function versionOf(object: KubeObject): string {
  return object.metadata.resourceVersion ?? '';
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOfObject(object: KubeObject): string {
  return objectKey(object.metadata.namespace, object.metadata.name);
}

interface ManagedEntry {
  readonly manager: string;
  readonly time: string | undefined;
  /** manager, operation and subresource: what the API server keeps one entry for. */
  readonly identity: string;
  /** What a write by this manager changes: its time and its fields. */
  readonly stamp: string;
}

function managedEntries(object: KubeObject): ManagedEntry[] {
  const entries = object.metadata['managedFields'];
  if (!Array.isArray(entries)) return [];
  const parsed: ManagedEntry[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { manager, time, operation, subresource, fieldsV1 } = entry as { manager?: unknown; time?: unknown; operation?: unknown; subresource?: unknown; fieldsV1?: unknown };
    if (typeof manager !== 'string') continue;
    parsed.push({
      manager,
      time: typeof time === 'string' ? time : undefined,
      identity: JSON.stringify([manager, operation ?? null, subresource ?? null]),
      stamp: JSON.stringify([time ?? null, fieldsV1 ?? null]),
    });
  }
  return parsed;
}

function newest(entries: readonly ManagedEntry[]): string | undefined {
  let found: { manager: string; time: string } | undefined;
  for (const entry of entries) {
    // RFC 3339 timestamps with the same precision compare correctly as strings.
    if (entry.time !== undefined && (found === undefined || entry.time >= found.time)) found = { manager: entry.manager, time: entry.time };
  }
  return found?.manager ?? entries.at(-1)?.manager;
}

/** The field manager of the newest managedFields entry (latest `time`, else the last entry). */
export function latestManager(object: KubeObject): string | undefined {
  return newest(managedEntries(object));
}

/**
 * The field manager that made the change from `previous` to `object`: the entry the write added or
 * restamped. A real API server keeps `time` to the second and sorts entries by manager, so two
 * writes within one second tie on time; the entry that changed between the versions does not.
 * Falls back to the newest entry when no entry changed (the same manager rewrote the same fields).
 */
export function changeManager(previous: KubeObject | undefined, object: KubeObject): string | undefined {
  if (previous === undefined) return latestManager(object);
  const before = new Map(managedEntries(previous).map((entry) => [entry.identity, entry.stamp]));
  const current = managedEntries(object);
  const touched = current.filter((entry) => before.get(entry.identity) !== entry.stamp);
  return newest(touched.length > 0 ? touched : current);
}

/** Sorts by resourceVersion when every version is numeric (as in etcd-backed clusters), else keeps list order. */
function inVersionOrder<T extends { resourceVersion: string }>(changes: T[]): T[] {
  const numeric = changes.every((change) => /^\d+$/.test(change.resourceVersion));
  if (!numeric) return changes;
  return [...changes].sort((a, b) => {
    const left = BigInt(a.resourceVersion);
    const right = BigInt(b.resourceVersion);
    return left < right ? -1 : left > right ? 1 : 0;
  });
}

interface PendingChange {
  readonly type: WatchEventType;
  readonly previous: KubeObject | undefined;
  readonly object: KubeObject;
  readonly resourceVersion: string;
}

/** Why a shared watch listed its objects again after its first list. */
export const RELIST_REASONS = ['expired', 'error', 'failed', 'restart'] as const;
export type RelistReason = (typeof RELIST_REASONS)[number];

/** What the shared watches went through since the gateway started (for metrics). */
export interface WatchStats {
  /**
   * Relists that completed, by reason: 410 Expired (the server's history no longer reaches the
   * watch's version), another ERROR event, a list or watch request that failed (network, server
   * error), or a restart of the context.
   */
  readonly relists: Record<RelistReason, number>;
  /** Streams opened again after one ended or broke (resumed from the last version, or after a relist). */
  reconnects: number;
}

/**
 * One list-then-watch of a target, kept for as long as anyone subscribes. Its cache is the
 * last state it told subscribers about, so a relist after a gap turns into exactly the changes
 * they missed, and a version it already reported is never reported again.
 */
class SharedWatch implements WatchedList {
  subscribers = 0;
  readonly ready: Promise<void>;
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion = '';
  private stream: (() => void) | undefined;
  /** Bumped whenever a stream is abandoned, so its late events and its end are ignored. */
  private generation = 0;
  private attempt = 0;
  private needsRelist = false;
  private relistReason: RelistReason = 'error';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly target: WatchTarget,
    private readonly sourceFor: () => WatchSource,
    private readonly emit: (change: HubChange) => void,
    private readonly options: Backoff,
    private readonly stats: WatchStats,
  ) {
    this.ready = this.relist(true).then(() => this.openStream());
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(objectKey(namespace, name));
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.timer);
    this.stream?.();
    this.stream = undefined;
  }

  /** Drops the stream and relists at once (the context's server or credentials changed). */
  restart(): void {
    if (this.stopped) return;
    this.abandonStream();
    this.needsRelist = true;
    this.relistReason = 'restart';
    this.attempt = 0;
    void this.reconnect();
  }

  private get type(): ResourceTypeRef {
    return resourceTypeOf(this.target);
  }

  private abandonStream(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stream?.();
    this.stream = undefined;
  }

  private async relist(initial: boolean): Promise<void> {
    const list = await this.sourceFor().list(this.type, this.target.namespace);
    if (this.stopped) return;
    const pending: PendingChange[] = [];
    const seen = new Set<string>();
    for (const object of list.items) {
      const key = keyOfObject(object);
      seen.add(key);
      const previous = this.objects.get(key);
      this.objects.set(key, object);
      if (previous === undefined) pending.push({ type: 'ADDED', previous, object, resourceVersion: versionOf(object) });
      else if (versionOf(previous) !== versionOf(object)) pending.push({ type: 'MODIFIED', previous, object, resourceVersion: versionOf(object) });
    }
    for (const [key, previous] of [...this.objects]) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      // The deletion's own version is unknown after a gap; the list's version is when it was observed.
      pending.push({ type: 'DELETED', previous, object: previous, resourceVersion: list.resourceVersion });
    }
    this.resourceVersion = list.resourceVersion;
    if (initial) return;
    for (const change of inVersionOrder(pending)) this.publish(change);
  }

  private async openStream(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const stream = await this.sourceFor().watch(
      this.type,
      this.target.namespace,
      this.resourceVersion,
      (event) => {
        if (generation === this.generation) this.onEvent(event);
      },
      () => {
        if (generation !== this.generation || this.stopped) return;
        this.stream = undefined;
        this.scheduleReconnect();
      },
    );
    if (generation === this.generation && !this.stopped) this.stream = stream;
    else stream();
  }

  private onEvent(event: KubeWatchEvent): void {
    if (event.type === 'ERROR') {
      // An ERROR ends the stream; after 410 Expired (history no longer reaches our version) only a relist can catch up.
      this.needsRelist = true;
      this.relistReason = event.object['code'] === 410 ? 'expired' : 'error';
      this.abandonStream();
      this.scheduleReconnect();
      return;
    }
    this.attempt = 0;
    const metadata = event.object['metadata'];
    if (event.type === 'BOOKMARK') {
      const version = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['resourceVersion'] : undefined;
      if (typeof version === 'string' && version !== '') this.resourceVersion = version;
      return;
    }
    const parsed = kubeObjectSchema.safeParse(event.object);
    if (!parsed.success) return;
    const object = parsed.data;
    const key = keyOfObject(object);
    const version = versionOf(object);
    const previous = this.objects.get(key);
    if (version !== '') this.resourceVersion = version;
    if (event.type === 'DELETED') {
      if (previous === undefined) return;
      this.objects.delete(key);
      this.publish({ type: 'DELETED', previous, object, resourceVersion: version });
      return;
    }
    // A replayed version (after a resume) is one subscribers already have.
    if (previous !== undefined && versionOf(previous) === version) return;
    this.objects.set(key, object);
    this.publish({ type: previous === undefined ? 'ADDED' : 'MODIFIED', previous, object, resourceVersion: version });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = Math.min(this.options.initialBackoffMs * 2 ** this.attempt, this.options.maxBackoffMs);
    this.attempt++;
    this.timer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const generation = this.generation;
    try {
      if (this.needsRelist) {
        await this.relist(false);
        if (generation !== this.generation) return;
        this.needsRelist = false;
        this.stats.relists[this.relistReason]++;
      }
      await this.openStream();
      this.stats.reconnects++;
    } catch {
      if (this.stopped || generation !== this.generation) return;
      // A list that failed leaves the cache as it was; the next attempt relists again.
      if (!this.needsRelist) this.relistReason = 'failed';
      this.needsRelist = true;
      this.scheduleReconnect();
    }
  }

  private publish(change: PendingChange): void {
    const { target } = this;
    const { name, namespace } = change.object.metadata;
    const ref = resourceRefIn(target, name, namespace);
    const object: JsonObject = change.object;
    const previous: JsonObject | undefined = change.previous;
    const modified = change.type === 'MODIFIED' && previous !== undefined;
    const manager = change.type === 'DELETED' ? undefined : changeManager(change.previous, change.object);
    const resource: ResourceChanged = {
      ref,
      type: change.type,
      resourceVersion: change.resourceVersion,
      // Whole-object changes (ADDED, DELETED) name no fields.
      paths: modified ? diffFields(previous, object, { ignore: [] }).map((field) => field.path) : [],
      statusOnly: modified ? isBookkeepingOnly(previous, object) : false,
      ...(manager !== undefined ? { manager } : {}),
      ...(change.type === 'DELETED' ? {} : { object }),
    };
    const listChanged: ListChanged = { list: listRefOf(target), type: change.type, name, ...(namespace ? { namespace } : {}), resourceVersion: change.resourceVersion };
    this.emit({ resourceKey: resourceKey(ref), listKey: listKey(target), resource, list: listChanged });
  }
}

/**
 * Shared Kubernetes watches: one list-then-watch per (context, resource type, namespace) while
 * anyone subscribes, however many sockets follow it. Resumes after a broken stream, relists after
 * 410 Expired, and reports each change once.
 */
export class WatchHub {
  private readonly watches = new Map<string, SharedWatch>();
  private readonly changes: TypedEmitter<{ change: [HubChange] }>;
  private readonly options: Backoff;
  private readonly counted: WatchStats = { relists: { expired: 0, error: 0, failed: 0, restart: 0 }, reconnects: 0 };

  constructor(
    private readonly sourceFor: (context: string) => WatchSource,
    options: WatchHubOptions = {},
  ) {
    this.options = { initialBackoffMs: options.initialBackoffMs ?? 250, maxBackoffMs: options.maxBackoffMs ?? 10_000 };
    this.changes = new TypedEmitter(options.onListenerError === undefined ? {} : { onListenerError: options.onListenerError });
  }

  /** Every change of every shared watch. */
  onChange(listener: (change: HubChange) => void): () => void {
    return this.changes.on('change', listener);
  }

  /** Subscribes to a target; resolves once its initial list is in (rejects, subscribing nothing, if that list fails). */
  async retain(target: WatchTarget): Promise<WatchedList> {
    const key = listKey(target);
    let watch = this.watches.get(key);
    if (watch === undefined) {
      // Read the source lazily so a reconnect after a context change uses the new client.
      watch = new SharedWatch(target, () => this.sourceFor(target.context), (change) => this.publish(change), this.options, this.counted);
      this.watches.set(key, watch);
    }
    watch.subscribers++;
    try {
      await watch.ready;
    } catch (error) {
      this.release(target);
      throw error;
    }
    return watch;
  }

  /** Drops one subscription; the watch stops with its last subscriber. */
  release(target: WatchTarget): void {
    const key = listKey(target);
    const watch = this.watches.get(key);
    if (watch === undefined) return;
    watch.subscribers--;
    if (watch.subscribers > 0) return;
    watch.stop();
    this.watches.delete(key);
  }

  /** Relists and reconnects of every shared watch so far (a copy). */
  stats(): WatchStats {
    return { relists: { ...this.counted.relists }, reconnects: this.counted.reconnects };
  }

  /** Number of running shared watches (for health and tests). */
  get size(): number {
    return this.watches.size;
  }

  /** Stops every watch of a removed context. */
  closeContext(context: string): void {
    for (const [key, watch] of [...this.watches]) {
      if (watch.target.context !== context) continue;
      watch.stop();
      this.watches.delete(key);
    }
  }

  /** Reconnects every watch of a changed context (new server or credentials), relisting to catch up. */
  restartContext(context: string): void {
    for (const watch of this.watches.values()) if (watch.target.context === context) watch.restart();
  }

  close(): void {
    for (const watch of this.watches.values()) watch.stop();
    this.watches.clear();
  }

  private publish(change: HubChange): void {
    this.changes.emit('change', change);
  }
}
