import { isBuiltinKind, shapeOfObject } from '@tandem/sync';
import { isJsonObject } from './json.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { PatchError, badRequest, invalid } from './patch-error.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export { PatchError, type PatchErrorCode, type PatchErrorReason } from './patch-error.js';
export { applyMergePatch } from './merge-patch.js';
export { applyJsonPatch } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

export const PATCH_TYPES: readonly PatchType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

/**
 * Applies a PATCH body to a stored object by its Content-Type, as the API server does.
 * `patch` is the already-parsed body (JSON, or the YAML of a server-side apply).
 * Never mutates its inputs. Throws `PatchError` with the status the server would send.
 *
 * `application/apply-patch+yaml` (server-side apply) merges the applied object like a
 * strategic merge patch: field ownership (managedFields) is not tracked, so fields the
 * applier dropped from its configuration are kept rather than removed, and no apply
 * conflicts (409) are ever raised.
 */
export function applyPatch(
  target: Record<string, unknown>,
  patch: unknown,
  contentType: string,
  builtin = isBuiltinKind(stringField(target, 'apiVersion'), stringField(target, 'kind')),
): Record<string, unknown> {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  switch (mediaType) {
    case 'application/json-patch+json': {
      const result = applyJsonPatch(target, patch);
      if (!isJsonObject(result)) throw invalid('the JSON patch leaves the object as something other than a JSON object');
      return result;
    }
    case 'application/merge-patch+json':
      return applyMergePatch(target, objectBody(patch, 'merge patch')) as Record<string, unknown>;
    case 'application/strategic-merge-patch+json':
      if (!builtin) throw unsupportedMediaType(false);
      return applyStrategicMergePatch(target, objectBody(patch, 'strategic merge patch'), shapeOfObject(target));
    case 'application/apply-patch+yaml':
      return applyStrategicMergePatch(target, objectBody(patch, 'server-side apply configuration'), shapeOfObject(target));
    default:
      throw unsupportedMediaType(builtin);
  }
}

function unsupportedMediaType(strategicAccepted: boolean): PatchError {
  const accepted = strategicAccepted ? PATCH_TYPES : PATCH_TYPES.filter((type) => type !== 'application/strategic-merge-patch+json');
  return new PatchError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

function objectBody(patch: unknown, what: string): Record<string, unknown> {
  if (!isJsonObject(patch)) throw badRequest(`the ${what} body must be a JSON object`);
  return patch;
}

function stringField(object: Record<string, unknown>, field: string): string | undefined {
  const value = object[field];
  return typeof value === 'string' ? value : undefined;
}
