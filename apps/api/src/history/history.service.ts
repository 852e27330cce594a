import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { diffFields, isAncestor, BOOKKEEPING_PATHS, redactSecretChanges, resourceKey, type FieldChange, type JsonObject, type JsonValue, type ResourceRef } from '@tandem/sync';
import type { HistoryEntry, HistoryPage, HistoryQuery, HistoryRecord } from '@tandem/store';
import { EditEvents, type EditEvent } from '../edits/edit-events.js';
import type { HubChange } from '../kube/watch-hub.js';
import { FIELD_MANAGER } from '../kube/kube-client.js';
import { SharedWatches } from '../kube/shared-watches.service.js';
import { SaveAuthors } from '../edits/save-authors.js';
import { CollabStore } from '../store/store.module.js';

/** How long an observed version stays claimed, so every gateway watching the object records it once. */
const ONCE_WINDOW_MS = 10 * 60_000;
/** A save's watch event can arrive before the save's own response; wait this long for its author. */
const AUTHOR_WAIT_MS = 1_000;
const REMEMBERED_OBJECTS = 1_000;
/** A value in a history entry larger than this (serialized) is replaced by its size. */
export const HISTORY_VALUE_MAX_BYTES = 4 * 1024;
/** The longest error message an entry keeps (a cluster's message can quote what was sent). */
export const HISTORY_MESSAGE_MAX_CHARS = 1_024;
/** The most field changes one history entry lists; the rest are counted, not listed. */
export const HISTORY_MAX_CHANGES = 200;

/**
 * Keeps a history entry small whatever was saved: values over HISTORY_VALUE_MAX_BYTES become
 * `{ omitted: true, bytes }`, changes past HISTORY_MAX_CHANGES are summed up in one last change at
 * the root, and with `values: false` (dry runs) only paths and operations are kept.
 */
export function boundedChanges(changes: readonly FieldChange[], options: { readonly values: boolean }): FieldChange[] {
  const bound = (value: JsonValue): JsonValue => {
    const bytes = JSON.stringify(value).length;
    return bytes > HISTORY_VALUE_MAX_BYTES ? { omitted: true, bytes } : value;
  };
  const kept = changes.slice(0, HISTORY_MAX_CHANGES).map((change): FieldChange => {
    if (!options.values) return { path: change.path, op: change.op };
    return {
      path: change.path,
      op: change.op,
      ...(change.before !== undefined ? { before: bound(change.before) } : {}),
      ...(change.after !== undefined ? { after: bound(change.after) } : {}),
    };
  });
  if (changes.length > HISTORY_MAX_CHANGES) kept.push({ path: '', op: 'replace', after: { omittedChanges: changes.length - HISTORY_MAX_CHANGES } });
  return kept;
}

/** Whether a ref names a core Secret, whose values the history must never hold. */
export function isSecret(ref: ResourceRef): boolean {
  return ref.group === '' && ref.resource === 'secrets';
}

/**
 * The edit history (DESIGN rule 8): records every save attempt from EditEvents and every change
 * shared watches observe that Tandem did not write, with Secret values redacted, and answers the
 * admin REST queries.
 */
@Injectable()
export class HistoryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(HistoryService.name);
  /** The last object seen per resource, so an outside change can be diffed field by field. */
  private readonly lastSeen = new Map<string, JsonObject>();
  /** Per gateway process: hashes of Secret values compare within the entries of one gateway run only. */
  private readonly salt = randomBytes(16).toString('hex');
  private readonly unsubscribe: (() => void)[] = [];
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly events: EditEvents,
    private readonly watches: SharedWatches,
    private readonly authors: SaveAuthors,
    private readonly store: CollabStore,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(this.events.subscribe((event) => this.track(this.recordSave(event))));
    this.unsubscribe.push(this.watches.onChange((change) => this.track(this.recordObserved(change))));
  }

  /** A session joined the object: the next outside change to it is diffed against what it saw. */
  joined(ref: ResourceRef, object: JsonObject): void {
    this.remember(resourceKey(ref), object);
  }

  async onModuleDestroy(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    // Entries already under way reach the store before it closes.
    await Promise.allSettled([...this.pending]);
  }

  query(query: HistoryQuery): Promise<HistoryPage> {
    return this.store.history.query(query);
  }

  get(id: string): Promise<HistoryEntry | undefined> {
    return this.store.history.get(id);
  }

  /** Resolves once every entry reported so far is stored (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.logger.error(`an edit history entry was not recorded: ${error instanceof Error ? error.message : String(error)}`));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async recordSave(event: EditEvent): Promise<void> {
    const toResourceVersion = event.resourceVersion ?? event.currentResourceVersion;
    const code = event.code;
    const record: HistoryRecord = {
      actor: event.actor,
      outside: false,
      ref: event.ref,
      action: 'save',
      outcome: event.outcome,
      fromResourceVersion: event.baseResourceVersion,
      ...(toResourceVersion !== undefined ? { toResourceVersion } : {}),
      // A dry run wrote nothing: its paths say what it tried, without the values.
      changes: boundedChanges(this.redact(event.ref, event.changes), { values: event.outcome !== 'dry-run' }),
      ...(event.message !== undefined ? { error: { message: event.message.slice(0, HISTORY_MESSAGE_MAX_CHARS), ...(code !== undefined ? { code } : {}) } } : {}),
    };
    await this.store.history.append(record);
  }

  private async recordObserved(change: HubChange): Promise<void> {
    const { resource } = change;
    const previous = this.lastSeen.get(change.resourceKey);
    if (resource.object !== undefined) this.remember(change.resourceKey, resource.object);
    else this.lastSeen.delete(change.resourceKey);
    // Status and bookkeeping churn (controllers reporting progress) is not an edit.
    if (resource.statusOnly) return;
    if (await this.writtenByTandem(change)) return;
    const changes =
      resource.type !== 'MODIFIED'
        ? []
        : previous !== undefined && resource.object !== undefined
          ? diffFields(previous, resource.object)
          : resource.paths.filter((path) => !BOOKKEEPING_PATHS.some((ignored) => ignored === path || isAncestor(ignored, path))).map((path): FieldChange => ({ path, op: 'replace' }));
    if (resource.type === 'MODIFIED' && changes.length === 0) return;
    const fromResourceVersion = previous === undefined ? undefined : resourceVersionOf(previous);
    const record: HistoryRecord = {
      actor: resource.manager ?? 'unknown',
      outside: true,
      ref: resource.ref,
      action: resource.type === 'ADDED' ? 'create' : resource.type === 'DELETED' ? 'delete' : 'update',
      outcome: 'observed',
      ...(fromResourceVersion !== undefined ? { fromResourceVersion } : {}),
      toResourceVersion: resource.resourceVersion,
      changes: boundedChanges(this.redact(resource.ref, changes), { values: true }),
    };
    await this.store.history.appendOnce(`${change.resourceKey}@${resource.type}@${resource.resourceVersion}`, ONCE_WINDOW_MS, record);
  }

  /** Tandem's own saves are recorded from EditEvents; their watch echo is not an outside change. */
  private async writtenByTandem(change: HubChange): Promise<boolean> {
    const { resource } = change;
    if (resource.type === 'DELETED') return false;
    if (resource.manager === FIELD_MANAGER) return true;
    if (resource.manager !== undefined) return false;
    // Without managedFields only the save's author note tells; it may trail the watch event.
    return (await this.authors.waitFor(change.resourceKey, resource.resourceVersion, AUTHOR_WAIT_MS)) !== undefined;
  }

  private redact(ref: ResourceRef, changes: readonly FieldChange[]): FieldChange[] {
    return redactSecretChanges(changes, isSecret(ref) ? 'Secret' : '', { salt: this.salt });
  }

  private remember(key: string, object: JsonObject): void {
    this.lastSeen.delete(key);
    this.lastSeen.set(key, object);
    if (this.lastSeen.size > REMEMBERED_OBJECTS) {
      const oldest = this.lastSeen.keys().next();
      if (oldest.done !== true) this.lastSeen.delete(oldest.value);
    }
  }
}

function resourceVersionOf(object: JsonObject): string | undefined {
  const metadata = object['metadata'];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const version = metadata['resourceVersion'];
  return typeof version === 'string' ? version : undefined;
}
