/**
 * The pure part of a guarded save: is the edited object acceptable for this resource, which fields
 * did the user change, and may the save be written onto the current version or is it stale.
 */
import { apiVersionOf, diffFields, isBookkeepingOnly, isJsonObject, namespaceOf, rebase, type FieldChange, type JsonObject, type ResourceRef } from '@tandem/sync';

function metadataOf(object: JsonObject): JsonObject {
  const metadata = object['metadata'];
  return isJsonObject(metadata) ? metadata : {};
}

export function resourceVersionOf(object: JsonObject): string {
  const version = metadataOf(object)['resourceVersion'];
  return typeof version === 'string' ? version : '';
}

/**
 * Why `edited` cannot be a new version of the object `ref` names (another apiVersion, kind, name or
 * namespace), or undefined when it can. `kind` is checked when the current object is known.
 */
export function identityProblem(ref: ResourceRef, edited: JsonObject, current?: JsonObject): string | undefined {
  const expectedApiVersion = apiVersionOf(ref);
  if (edited['apiVersion'] !== expectedApiVersion) return `apiVersion must stay "${expectedApiVersion}", got ${JSON.stringify(edited['apiVersion'] ?? null)}`;
  const metadata = metadataOf(edited);
  if (metadata['name'] !== ref.name) return `metadata.name must stay "${ref.name}", got ${JSON.stringify(metadata['name'] ?? null)}`;
  const namespace = metadata['namespace'];
  const expectedNamespace = namespaceOf(ref);
  if ((namespace ?? undefined) !== expectedNamespace) {
    return expectedNamespace === undefined
      ? `metadata.namespace must be absent for a cluster-scoped object, got ${JSON.stringify(namespace)}`
      : `metadata.namespace must stay "${expectedNamespace}", got ${JSON.stringify(namespace ?? null)}`;
  }
  if (current !== undefined && edited['kind'] !== current['kind']) return `kind must stay ${JSON.stringify(current['kind'])}, got ${JSON.stringify(edited['kind'] ?? null)}`;
  return undefined;
}

export type SavePlan =
  /** The gateway has no copy of the base version and it is not the current one: refuse as stale. */
  | { readonly kind: 'unknown-base' }
  /** Upstream changed fields the user did not see: the client must rebase. */
  | { readonly kind: 'stale'; readonly changes: readonly FieldChange[]; readonly upstream: readonly FieldChange[] }
  /** Safe to write `object` (the user's changes on the current version, with its resourceVersion as precondition). */
  | { readonly kind: 'write'; readonly changes: readonly FieldChange[]; readonly object: JsonObject };

export interface SaveInput {
  /** The object at `baseResourceVersion`, when the gateway has it. */
  readonly base: JsonObject | undefined;
  readonly baseResourceVersion: string;
  readonly current: JsonObject;
  readonly edited: JsonObject;
}

/**
 * Decides a save (DESIGN rule 2). The user's changes are `base -> edited`; upstream is
 * `base -> current`. Only a base that is current, or an upstream that changed nothing but status
 * and bookkeeping, lets the save through; anything else is stale, whatever the edited object says.
 */
export function planSave({ base: knownBase, baseResourceVersion, current, edited }: SaveInput): SavePlan {
  const currentVersion = resourceVersionOf(current);
  const baseIsCurrent = baseResourceVersion === currentVersion;
  const base = baseIsCurrent ? current : knownBase;
  if (base === undefined) return { kind: 'unknown-base' };
  const changes = diffFields(base, edited);
  if (!baseIsCurrent && !isBookkeepingOnly(base, current)) return { kind: 'stale', changes, upstream: diffFields(base, current) };
  const rebased = rebase(base, edited, current);
  // Upstream changed only ignored fields, so nothing can conflict; checked anyway rather than trusted.
  if (rebased.conflicts.length > 0 || !isJsonObject(rebased.merged)) return { kind: 'stale', changes, upstream: diffFields(base, current) };
  const merged = rebased.merged;
  const object: JsonObject = { ...merged, metadata: { ...metadataOf(merged), resourceVersion: currentVersion } };
  return { kind: 'write', changes, object };
}
