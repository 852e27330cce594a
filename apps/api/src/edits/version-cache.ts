import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { isBookkeepingOnly, type JsonObject } from '@tandem/sync';
import { SharedWatches } from '../kube/shared-watches.service.js';
import { resourceVersionOf } from './save-plan.js';

const VERSIONS_PER_RESOURCE = 256;
const RESOURCES = 500;

/**
 * Recent versions of the objects clients have open, so a save can compare the user's base with the
 * current version. Filled by joins, watch events and saves; least recently used resources drop out.
 * A version that differs from the previous one only in status and bookkeeping shares that one's
 * object (a save compares only the other fields), so status churn costs one reference per version
 * and a base stays known for as long as 256 versions.
 */
@Injectable()
export class VersionCache implements OnModuleDestroy {
  private readonly resources = new Map<string, Map<string, JsonObject>>();
  private readonly unsubscribe: () => void;

  constructor(watches: SharedWatches) {
    this.unsubscribe = watches.onChange((change) => {
      if (change.resource.object !== undefined) this.remember(change.resourceKey, change.resource.object);
    });
  }

  remember(resourceKey: string, object: JsonObject): void {
    const version = resourceVersionOf(object);
    if (version === '') return;
    const versions = this.resources.get(resourceKey) ?? new Map<string, JsonObject>();
    this.resources.delete(resourceKey);
    this.resources.set(resourceKey, versions);
    const latest = [...versions.values()].at(-1);
    versions.delete(version);
    versions.set(version, latest !== undefined && isBookkeepingOnly(latest, object) ? latest : object);
    if (versions.size > VERSIONS_PER_RESOURCE) this.dropOldest(versions);
    if (this.resources.size > RESOURCES) this.dropOldest(this.resources);
  }

  /** The version that introduced the fields (other than status and bookkeeping) `resourceVersion` has, when known. */
  introducedBy(resourceKey: string, resourceVersion: string): string | undefined {
    const object = this.get(resourceKey, resourceVersion);
    return object === undefined ? undefined : resourceVersionOf(object);
  }

  get(resourceKey: string, resourceVersion: string): JsonObject | undefined {
    return this.resources.get(resourceKey)?.get(resourceVersion);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private dropOldest(map: Map<string, unknown>): void {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
