import type { ListRef } from '@tandem/sync';

/** Builds the protocol's `ListRef`, leaving `namespace` out for all namespaces or cluster scope. */
export function listRef(context: string, group: string, version: string, resource: string, namespace: string | null): ListRef {
  return namespace === null ? { context, group, version, resource } : { context, group, version, resource, namespace };
}

/** True when a `list:changed` push is about the list on screen. */
export function sameList(a: ListRef, b: ListRef): boolean {
  return a.context === b.context && a.group === b.group && a.version === b.version && a.resource === b.resource && (a.namespace ?? '') === (b.namespace ?? '');
}
