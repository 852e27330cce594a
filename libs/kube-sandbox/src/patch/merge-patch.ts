import { cloneJson, isJsonObject, setOwn } from './json.js';

/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge key by key,
 * `null` deletes a key, and anything else (lists included) replaces the target value.
 * Never mutates its inputs.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return merge(cloneJson(target), patch);
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, merge(result[key], value));
  }
  return result;
}
