import type { ListChanged } from '@tandem/sync';
import type { KubeObjectSummary, ObjectList } from '../../../api/kube-objects.js';

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Lists come sorted by namespace, then name (as the API server returns them); an added object goes where a fresh read would put it. */
function compare(a: KubeObjectSummary, b: KubeObjectSummary): number {
  const byNamespace = (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '');
  return byNamespace !== 0 ? byNamespace : a.metadata.name.localeCompare(b.metadata.name);
}

/**
 * A list with watch deltas applied in order, as the cache keeps it between reads: an added or
 * modified object is upserted with its new resourceVersion, a deleted one removed. Each delta sets
 * its object's state, so applying one the list already reflects changes nothing.
 */
export function applyListChanges(list: ObjectList, changes: readonly ListChanged[]): ObjectList {
  if (changes.length === 0) return list;
  const items = [...list.items];
  let resourceVersion = list.resourceVersion;
  for (const change of changes) {
    const key = keyOf(change.namespace, change.name);
    const at = items.findIndex((item) => keyOf(item.metadata.namespace, item.metadata.name) === key);
    resourceVersion = change.resourceVersion;
    if (change.type === 'DELETED') {
      if (at >= 0) items.splice(at, 1);
      continue;
    }
    const current = at >= 0 ? items[at] : undefined;
    if (current !== undefined) {
      items[at] = { ...current, metadata: { ...current.metadata, resourceVersion: change.resourceVersion } };
      continue;
    }
    const added: KubeObjectSummary = { metadata: { name: change.name, ...(change.namespace !== undefined ? { namespace: change.namespace } : {}), resourceVersion: change.resourceVersion } };
    const before = items.findIndex((item) => compare(added, item) < 0);
    items.splice(before < 0 ? items.length : before, 0, added);
  }
  return resourceVersion === undefined ? { items } : { items, resourceVersion };
}
