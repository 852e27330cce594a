import { BOOKKEEPING_PATHS, isAncestor, isJsonObject, type JsonObject, type ResourceChanged } from '@tandem/sync';
import { stringify } from 'yaml';

/**
 * The object as the editor shows it: `metadata.managedFields` is left out because it is
 * server-owned bookkeeping (hundreds of lines nobody edits) that the API server rewrites on
 * every write; an update that omits it keeps the server's copy, so leaving it out loses nothing.
 */
export function editorViewOf(object: JsonObject): JsonObject {
  const metadata = object['metadata'];
  if (!isJsonObject(metadata) || !('managedFields' in metadata)) return object;
  const { managedFields: _managedFields, ...rest } = metadata;
  return { ...object, metadata: rest };
}

/** The YAML text of an object's editor view. */
export function editorYamlOf(object: JsonObject): string {
  return stringify(editorViewOf(object), { lineWidth: 0 });
}

const MAX_PATHS_SHOWN = 4;

function isBookkeeping(path: string): boolean {
  return BOOKKEEPING_PATHS.some((b) => b === path || isAncestor(b, path));
}

/**
 * The upstream banner's sentence, e.g. `kubectl-edit changed metadata.annotations.x (rv 42)`:
 * who (the Tandem user, else the field manager), which fields (bookkeeping only when nothing else
 * changed), and the new version.
 */
export function describeUpstreamChange(change: Pick<ResourceChanged, 'type' | 'paths' | 'manager' | 'user' | 'resourceVersion'>): string {
  const who = change.user ?? change.manager ?? 'Someone';
  if (change.type === 'DELETED') return `${who} deleted this object (rv ${change.resourceVersion})`;
  const meaningful = change.paths.filter((p) => !isBookkeeping(p));
  const shown = meaningful.length > 0 ? meaningful : [...change.paths];
  if (shown.length === 0) return `${who} changed it (rv ${change.resourceVersion})`;
  const listed = shown.slice(0, MAX_PATHS_SHOWN).join(', ');
  const more = shown.length > MAX_PATHS_SHOWN ? ` and ${shown.length - MAX_PATHS_SHOWN} more` : '';
  return `${who} changed ${listed}${more} (rv ${change.resourceVersion})`;
}
