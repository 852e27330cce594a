import { Injectable } from '@nestjs/common';
import {
  BOOKKEEPING_PATHS,
  diffFields,
  failWith,
  MAX_OBJECT_BYTES,
  namespaceOf,
  overlaps,
  resourceKey,
  resourceTypeOf,
  type Ack,
  type AckFail,
  type FieldChange,
  type JsonObject,
  type RequestPayload,
  type RequestResults,
  type ResourceRef,
  type SaveResult,
  type StaleDetails,
} from '@tandem/sync';
import { KubeApiError } from '../errors/kube-api-error.js';
import { FIELD_MANAGER } from '../kube/kube-client.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import type { KubeObject } from '../kube/kube.schemas.js';
import { latestManager } from '../kube/watch-hub.js';
import { LocksService } from '../locks/locks.service.js';
import type { Actor } from '../identity/actor.js';
import { SaveAuthors } from './save-authors.js';
import { CollabStore } from '../store/store.module.js';
import { EditEvents, type EditEvent, type EditOutcome } from './edit-events.js';
import { identityProblem, planSave, resourceVersionOf } from './save-plan.js';
import { VersionCache } from './version-cache.js';

/** A 409 means the object moved between our read and our write (a busy controller does that often): decide again on the new version, a bounded number of times. */
const MAX_ATTEMPTS = 10;

type SaveAck = Ack<RequestResults['resource:save']>;


/**
 * `resource:save`: the guarded save (DESIGN rules 1, 2 and 9). Validates, reads the current version,
 * refuses changes to fields another session holds, writes only when upstream changed nothing but
 * status and bookkeeping, always with the current resourceVersion as precondition, and reports
 * every attempt on EditEvents.
 */
/** The editing session a save comes from: its id (leases belong to it) and what it has open. */
export interface SaveSession {
  readonly id: string;
  hasJoined(ref: ResourceRef): boolean;
}

@Injectable()
export class EditsService {
  constructor(
    private readonly clients: KubeContextsService,
    private readonly store: CollabStore,
    private readonly locks: LocksService,
    private readonly versions: VersionCache,
    private readonly authors: SaveAuthors,
    private readonly events: EditEvents,
  ) {}

  /** A session joined the object at this version: a later save based on it can be compared. */
  joined(ref: ResourceRef, object: JsonObject): void {
    this.versions.remember(resourceKey(ref), object);
  }

  /**
   * A guarded save by `actor` from one editing session: compared with the cluster, refused when stale
   * or leased, and written as the actor (impersonated, or with their own token), so the cluster's
   * RBAC decides whether they may.
   */
  async save(actor: Actor, session: SaveSession, { ref, baseResourceVersion, object: edited, dryRun = false }: RequestPayload<'resource:save'>): Promise<SaveAck> {
    // A session saves what it has open: its base came from the join, and its leases live there.
    if (!session.hasJoined(ref)) return failWith('not-joined', 'resource:save needs resource:join of that resource first; nothing was saved');
    const report = (outcome: EditOutcome, fields: Partial<Omit<EditEvent, 'outcome' | 'actor' | 'sessionId' | 'ref' | 'baseResourceVersion' | 'at'>>): void =>
      this.events.emit({ outcome, actor: actor.user, sessionId: session.id, ref, baseResourceVersion, changes: [], ...fields, at: Date.now() });
    const invalid = (ack: AckFail, currentResourceVersion?: string): AckFail => {
      report('invalid', { message: ack.error.message, ...(currentResourceVersion !== undefined ? { currentResourceVersion } : {}) });
      return ack;
    };

    const size = Buffer.byteLength(JSON.stringify(edited));
    if (size > MAX_OBJECT_BYTES) return invalid(failWith('too-large', `The object is ${size} bytes serialized; the most a save accepts is ${MAX_OBJECT_BYTES}`, { bytes: size, limit: MAX_OBJECT_BYTES }));
    const early = identityProblem(ref, edited);
    if (early !== undefined) return invalid(failWith('invalid', `The edited object is not ${ref.name} any more: ${early}`));

    const key = resourceKey(ref);
    const client = this.clients.client(ref.context).as(actor);
    const type = resourceTypeOf(ref);
    const namespace = namespaceOf(ref);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current: KubeObject = await client.get(type, namespace, ref.name);
      const currentResourceVersion = resourceVersionOf(current);
      this.versions.remember(key, current);
      const late = identityProblem(ref, edited, current);
      if (late !== undefined) return invalid(failWith('invalid', `The edited object is not ${ref.name} any more: ${late}`), currentResourceVersion);

      const plan = planSave({ base: this.versions.get(key, baseResourceVersion), baseResourceVersion, current, edited });
      if (plan.kind === 'unknown-base') {
        const message = `Version ${baseResourceVersion} is not known to the gateway and the object is now at ${currentResourceVersion}; rebase your changes onto the current version and save again`;
        report('blocked-stale', { currentResourceVersion, message });
        return failWith('stale', message, this.staleDetails(key, current, []));
      }

      const blocking = await this.store.leases.blocking(ref, plan.changes.map((change) => change.path), session.id);
      const holder = blocking[0];
      if (holder !== undefined) {
        const path = plan.changes.find((change) => blocking.some((lease) => overlaps(lease.path, change.path)))?.path ?? holder.path;
        const message = `${path} is being edited by ${holder.owner}; nothing was saved`;
        report('blocked-locked', { currentResourceVersion, changes: plan.changes, message });
        return failWith('locked', message, { path, holder });
      }

      if (plan.kind === 'stale') {
        const message = `The object changed upstream since version ${baseResourceVersion} (now ${currentResourceVersion}); rebase your changes and save again`;
        report('blocked-stale', { currentResourceVersion, changes: plan.changes, upstream: plan.upstream, message });
        return failWith('stale', message, this.staleDetails(key, current, plan.upstream));
      }

      // A save that changes only status would be written and silently ignored: the API server keeps
      // status on the main resource as it was. Say so instead of answering "saved".
      const base = baseResourceVersion === currentResourceVersion ? current : this.versions.get(key, baseResourceVersion);
      if (plan.changes.length === 0 && base !== undefined && diffFields(base, edited, { ignore: BOOKKEEPING_PATHS.filter((path) => path !== 'status') }).length > 0) {
        const message = "Nothing was written: the only changes are in status, which the cluster's controllers write (the API server ignores status in a save)";
        report('invalid', { currentResourceVersion, message });
        return failWith('invalid', message, { statusOnly: true });
      }

      let saved: KubeObject;
      try {
        saved = await client.replace(type, namespace, ref.name, plan.object, { fieldManager: FIELD_MANAGER, dryRun });
      } catch (error) {
        if (error instanceof KubeApiError && error.code === 409 && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof KubeApiError && error.code === 409) {
          const message = `The object kept changing while saving (${MAX_ATTEMPTS} conflicts in a row); reload and save again`;
          report('blocked-stale', { currentResourceVersion, changes: plan.changes, message });
          return failWith('stale', message, this.staleDetails(key, current, []));
        }
        if (error instanceof KubeApiError && error.code !== 502 && error.code < 500) {
          report('rejected-by-cluster', { currentResourceVersion, changes: plan.changes, message: error.message, code: error.code });
          // The cluster's RBAC said no to this user: the same answer as any other forbidden request.
          if (error.code === 401 || error.code === 403) return failWith('forbidden', error.message, { code: error.code, reason: error.reason });
          return failWith('rejected', error.message, { code: error.code, reason: error.reason });
        }
        throw error;
      }
      const object: JsonObject = saved;
      const resourceVersion = resourceVersionOf(object);
      const result: SaveResult = { resourceVersion, object, dryRun, changes: plan.changes };
      if (dryRun) {
        report('dry-run', { currentResourceVersion, resourceVersion, changes: plan.changes });
        return { ok: true, ...result };
      }
      this.authors.record(key, resourceVersion, actor.user);
      this.versions.remember(key, object);
      report('applied', { currentResourceVersion, resourceVersion, changes: plan.changes });
      await this.locks.releaseSaved(session.id, ref, plan.changes.map((change) => change.path));
      return { ok: true, ...result };
    }
    throw new Error('unreachable: every attempt returns or continues');
  }

  private staleDetails(key: string, current: KubeObject, upstream: readonly FieldChange[]): StaleDetails {
    const resourceVersion = resourceVersionOf(current);
    // Status churn after the last real change must not hide who made it.
    const introducedBy = this.versions.introducedBy(key, resourceVersion) ?? resourceVersion;
    const changedBy = this.authors.authorOf(key, introducedBy) ?? this.authors.authorOf(key, resourceVersion) ?? latestManager(current);
    return { current, resourceVersion, upstream: [...upstream], ...(changedBy !== undefined ? { changedBy } : {}) };
  }
}

