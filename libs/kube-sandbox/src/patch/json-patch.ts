import { cloneJson, isJsonObject, jsonEqual, setOwn } from './json.js';
import { badRequest, invalid } from './patch-error.js';

/**
 * RFC 6902 JSON patch (`application/json-patch+json`).
 *
 * Messages follow the JSON patch library the API server uses (evanphx/json-patch), which
 * is what `kubectl patch --type json` users see in the Status causes. A body that is not a
 * list of operation objects is a 400 (the server cannot decode it); an operation that does
 * not apply (failed `test`, missing path, unknown `op`) is a 422, as on the real server.
 */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(operations)} into Go value of type jsonpatch.Patch`);
  }
  let document = cloneJson(target);
  for (const operation of operations) {
    if (!isJsonObject(operation)) {
      throw badRequest(`json: cannot unmarshal ${jsonTypeName(operation)} into Go value of type jsonpatch.Operation`);
    }
    document = applyOperation(document, operation);
  }
  return document;
}

type Container = Record<string, unknown> | unknown[];

/** Where a pointer lands: the container that holds (or would hold) the value, and its key there. */
interface Location {
  readonly container: Container;
  readonly key: string;
}

function applyOperation(document: unknown, operation: Record<string, unknown>): unknown {
  const op = operation['op'];
  switch (op) {
    case 'add': {
      const path = pathOf(operation, 'path', op);
      return add(document, path, valueOf(operation, op), () =>
        invalid(`add operation does not apply: doc is missing path: "${path}": missing value`),
      );
    }
    case 'remove': {
      const path = pathOf(operation, 'path', op);
      remove(document, path, () => invalid(`remove operation does not apply: doc is missing path: "${path}": missing value`));
      return document;
    }
    case 'replace': {
      const path = pathOf(operation, 'path', op);
      const value = valueOf(operation, op);
      if (path === '') return value;
      const location = locate(document, path);
      if (!location) throw invalid(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      if (!has(location)) {
        if (Array.isArray(location.container)) {
          throw invalid(`error in replace for path: '${path}': Unable to access invalid index: ${location.key}: invalid index referenced`);
        }
        throw invalid(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      }
      set(location, value);
      return document;
    }
    case 'move': {
      const from = pathOf(operation, 'from', op);
      const path = pathOf(operation, 'path', op);
      if (path.startsWith(`${from}/`)) {
        throw invalid(`move operation does not apply: path ${path} is a child of from ${from}`);
      }
      const value = read(document, from, () => invalid(`move operation does not apply: doc is missing from path: ${from}: missing value`));
      if (from === path) return document;
      remove(document, from, () => invalid(`move operation does not apply: doc is missing from path: ${from}: missing value`));
      return add(document, path, value, () => invalid(`move operation does not apply: doc is missing destination path: ${path}: missing value`));
    }
    case 'copy': {
      const from = pathOf(operation, 'from', op);
      const path = pathOf(operation, 'path', op);
      const value = read(document, from, () => invalid(`copy operation does not apply: doc is missing from path: ${from}: missing value`));
      return add(document, path, cloneJson(value), () =>
        invalid(`copy operation does not apply: doc is missing destination path: ${path}: missing value`),
      );
    }
    case 'test': {
      const path = pathOf(operation, 'path', op);
      const expected = valueOf(operation, op);
      const actual = read(document, path, () => invalid(`test operation does not apply: is missing path: ${path}: missing value`), true);
      if (!jsonEqual(actual ?? null, expected)) throw invalid(`testing value ${path} failed: test failed`);
      return document;
    }
    default:
      throw invalid(`Unexpected kind: ${typeof op === 'string' ? op : 'unknown'}: unknown object type`);
  }
}

function pathOf(operation: Record<string, unknown>, field: 'path' | 'from', op: string): string {
  const path = operation[field];
  if (typeof path !== 'string') throw invalid(`${op} operation failed to decode ${field}: operation missing ${field} field: missing value`);
  if (path !== '' && !path.startsWith('/')) throw invalid(`${op} operation has an invalid ${field} ${JSON.stringify(path)}: a JSON pointer starts with "/"`);
  return path;
}

function valueOf(operation: Record<string, unknown>, op: string): unknown {
  if (!Object.hasOwn(operation, 'value')) throw invalid(`${op} operation is missing its value field`);
  return cloneJson(operation['value']);
}

/** Splits a JSON pointer into unescaped reference tokens (`~1` is `/`, `~0` is `~`, in that order). */
function tokensOf(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container and key a pointer names; undefined when a parent on the way is missing. */
function locate(document: unknown, path: string): Location | undefined {
  const tokens = tokensOf(path);
  const key = tokens.pop();
  if (key === undefined) return undefined;
  let node: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const index = arrayIndex(token);
      if (index === undefined || index >= node.length) return undefined;
      node = node[index];
    } else if (isJsonObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  return Array.isArray(node) || isJsonObject(node) ? { container: node, key } : undefined;
}

/** A JSON pointer array index: digits without a leading zero. */
function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

function has({ container, key }: Location): boolean {
  if (Array.isArray(container)) {
    const index = arrayIndex(key);
    return index !== undefined && index < container.length;
  }
  return Object.hasOwn(container, key);
}

function set({ container, key }: Location, value: unknown): void {
  if (Array.isArray(container)) container[Number(key)] = value;
  else setOwn(container, key, value);
}

function read(document: unknown, path: string, missing: () => Error, absentIsNull = false): unknown {
  if (path === '') return document;
  const location = locate(document, path);
  if (!location) throw missing();
  if (!has(location)) {
    if (absentIsNull) return null;
    throw missing();
  }
  return Array.isArray(location.container) ? location.container[Number(location.key)] : location.container[location.key];
}

function add(document: unknown, path: string, value: unknown, missing: () => Error): unknown {
  if (path === '') return value;
  const location = locate(document, path);
  if (!location) throw missing();
  const { container, key } = location;
  if (Array.isArray(container)) {
    const index = key === '-' ? container.length : arrayIndex(key);
    if (index === undefined || index > container.length) {
      throw invalid(`error in add for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`);
    }
    container.splice(index, 0, value);
  } else {
    setOwn(container, key, value);
  }
  return document;
}

function remove(document: unknown, path: string, missing: () => Error): void {
  if (path === '') throw invalid('remove operation does not apply: the whole document cannot be removed');
  const location = locate(document, path);
  if (!location) throw missing();
  const { container, key } = location;
  if (Array.isArray(container)) {
    const index = arrayIndex(key);
    if (index === undefined || index >= container.length) {
      throw invalid(`error in remove for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`);
    }
    container.splice(index, 1);
  } else {
    if (!Object.hasOwn(container, key)) {
      throw invalid(`error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`);
    }
    delete container[key];
  }
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
