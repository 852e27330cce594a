/**
 * JSON values as Kubernetes objects carry them, with the few helpers the diff and rebase
 * need. Map key order is not meaningful (deep equality ignores it); list order is.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonArray = JsonValue[];
export interface JsonObject {
  [key: string]: JsonValue;
}
export type JsonValue = JsonPrimitive | JsonArray | JsonObject;

/** True for a JSON object (a map), false for arrays, null and scalars. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own-property lookup, so keys such as `constructor` or `__proto__` are plain data. */
export function hasKey(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Reads an own property (never the prototype chain). */
export function getKey(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Sets an own property; `__proto__` is defined as data instead of changing the prototype. */
export function setKey(object: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Deep equality of JSON values; map key order is ignored, list order is not. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
  }
  return true;
}

/** Deep copy of a JSON value (no shared structure with the input). */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const list: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) list.push(cloneJson(value[i] as JsonValue));
    return list as T;
  }
  const out: JsonObject = {};
  for (const k of Object.keys(value)) {
    const v = cloneJson(value[k] as JsonValue);
    if (k === '__proto__') setKey(out, k, v);
    else out[k] = v;
  }
  return out as T;
}
