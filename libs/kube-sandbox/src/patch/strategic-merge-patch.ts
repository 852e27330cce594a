import { fieldShape, itemShape, type ObjectShape, type Shape } from '@tandem/sync';
import { cloneJson, describeJson, isJsonObject, setOwn } from './json.js';
import { badRequest, invalid } from './patch-error.js';

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), following
 * k8s.io/apimachinery/pkg/util/strategicpatch as the API server runs it
 * (`MergeParallelList` and `IgnoreUnmatchedNulls` on). List semantics come from the one
 * schema table in `@tandem/sync` (`shape`), never from a copy of it.
 *
 * Behaviour worth knowing, all as on the real server:
 * - `$patch: delete` on a map leaves an empty map, not a missing key;
 * - list items the patch adds without `$setElementOrder` land before the items the
 *   server already had (kubectl always sends `$setElementOrder`, which fixes the order);
 * - lists without a merge strategy are replaced whole.
 * Unlike the server, directives inside values the patch adds are applied, never stored.
 */
export function applyStrategicMergePatch(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  shape: ObjectShape,
): Record<string, unknown> {
  if (!isJsonObject(patch)) throw badRequest(`a strategic merge patch must be a JSON object, got ${describeJson(patch)}`);
  return mergeMap(cloneJson(target), cloneJson(patch), shape);
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

type JsonMap = Record<string, unknown>;
type ElementKind = 'map' | 'scalar';

/** Merges `patch` into `original` (both working copies this module owns and may edit). */
function mergeMap(original: JsonMap, patch: JsonMap, shape: Shape | undefined): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, shape);
    }
    if (directive === 'delete') return {};
    throw badRequest(`unknown patch type: ${describeJson(directive)} in map: ${describeJson(patch)}`);
  }

  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, shape);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = patchKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      isDeleteList = true;
      if (key === '' || !(Array.isArray(patchValue) || patchValue === null)) {
        throw badRequest(`invalid patch format of primitive list: ${patchKey}`);
      }
    } else if (patchKey.startsWith('$')) {
      throw badRequest(`unknown strategic merge patch directive ${JSON.stringify(patchKey)}`);
    }

    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const valueShape = fieldShape(shape, key);
    const originalValue = original[key];
    if (!Object.hasOwn(original, key) || kindOf(originalValue) !== kindOf(patchValue)) {
      // Nothing to merge with: the patch value is taken, with its own directives applied.
      if (!isDeleteList) setOwn(original, key, fresh(patchValue, valueShape));
      continue;
    }
    if (isJsonObject(originalValue) && isJsonObject(patchValue)) {
      setOwn(original, key, mergeMap(originalValue, patchValue, valueShape));
    } else if (Array.isArray(originalValue) && Array.isArray(patchValue)) {
      setOwn(original, key, mergeList(originalValue, patchValue, valueShape, isDeleteList));
    } else {
      setOwn(original, key, patchValue);
    }
  }
  return original;
}

/** A patch value with no original counterpart, with directives applied against nothing. */
function fresh(value: unknown, shape: Shape | undefined): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, shape);
  if (Array.isArray(value)) return mergeList([], value, shape, false);
  return value;
}

function kindOf(value: unknown): 'map' | 'list' | 'scalar' {
  if (Array.isArray(value)) return 'list';
  return isJsonObject(value) ? 'map' : 'scalar';
}

/** `$retainKeys`: the map keeps only the listed keys (union types such as a volume source). */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retainKeys = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retainKeys) || !retainKeys.every((key) => typeof key === 'string')) {
    throw badRequest(`invalid patch format of retainKeys: ${describeJson(retainKeys)}`);
  }
  const retained = new Set<string>(retainKeys);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(key)) {
      throw invalid(`patch content doesn't match retainKeys list: ${JSON.stringify(key)} is not in ${describeJson(retainKeys)}`);
    }
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) delete original[key];
  }
}

/**
 * `$setElementOrder/<list>`: merges the list it names (when the patch carries it) and
 * puts the result in the given order, interleaving items the order does not mention by
 * their place in the live list. Removes both keys from the patch.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, shape: Shape | undefined): void {
  for (const [directiveKey, order] of Object.entries(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    delete patch[directiveKey];
    const key = directiveKey.slice(SET_ELEMENT_ORDER.length);
    if (key === '' || !Array.isArray(order)) throw badRequest(`invalid patch format of setElementOrder list: ${directiveKey}`);

    const foundOriginal = Object.hasOwn(original, key);
    const foundPatch = Object.hasOwn(patch, key);
    const originalList = original[key];
    const patchList = patch[key];
    if (foundOriginal && !Array.isArray(originalList)) {
      throw badRequest(`${directiveKey} names ${JSON.stringify(key)}, which is not a list in the object`);
    }
    if (foundPatch && !Array.isArray(patchList)) throw badRequest(`invalid patch format of setElementOrder list: ${key} is not a list`);
    if (!foundOriginal && !foundPatch) continue;
    delete patch[key];

    const listShape = fieldShape(shape, key);
    // Order only means something for lists merged item by item; others are replaced whole.
    if (listShape?.type !== 'list' || listShape.strategy !== 'merge') {
      if (foundPatch) setOwn(original, key, fresh(patchList, listShape));
      continue;
    }
    const mergeKey = listShape.mergeKey;
    const before = Array.isArray(originalList) ? originalList : [];
    const additions = Array.isArray(patchList) ? patchList : [];
    validateOrderMatchesPatch(additions, order, mergeKey);

    const merged = !foundPatch ? before : mergeList(before, additions, listShape, false);
    const kind = elementKind([...before, ...additions]);
    if (kind === undefined) {
      setOwn(original, key, merged);
      continue;
    }
    const inOrder = merged.filter((item) => indexIn(order, item, mergeKey, kind) >= 0);
    const serverOnly = merged.filter((item) => indexIn(order, item, mergeKey, kind) < 0);
    setOwn(original, key, normalizeElementOrder(inOrder, serverOnly, order, before, mergeKey, kind));
  }
}

/** The items of the patch list must appear in `$setElementOrder` in the same relative order. */
function validateOrderMatchesPatch(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const kept = mergeKey === undefined ? patchList : patchList.filter((item) => !(isJsonObject(item) && item[DIRECTIVE] === 'delete'));
  let patchIndex = 0;
  let orderIndex = 0;
  while (patchIndex < kept.length && orderIndex < order.length) {
    const item = kept[patchIndex];
    if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      patchIndex++;
      continue;
    }
    if (sameElement(item, order[orderIndex], mergeKey)) patchIndex++;
    orderIndex++;
  }
  if (patchIndex < kept.length) {
    throw badRequest(`The order in patch list:\n${describeJson(patchList)}\n doesn't match $setElementOrder list:\n${describeJson(order)}`);
  }
}

function sameElement(left: unknown, right: unknown, mergeKey: string | undefined): boolean {
  if (mergeKey === undefined) return left === right;
  return mergeKeyValue(left, mergeKey) === mergeKeyValue(right, mergeKey);
}

function mergeKeyValue(item: unknown, mergeKey: string): unknown {
  if (!isJsonObject(item)) throw badRequest(`a list merged by ${JSON.stringify(mergeKey)} holds a non-object item: ${describeJson(item)}`);
  if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${describeJson(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey];
}

/** Merges a list by its shape: item by item, as a set of scalars, or (atomic) replaced whole. */
function mergeList(original: unknown[], patch: unknown[], shape: Shape | undefined, isDeleteList: boolean): unknown[] {
  if (isDeleteList) return original.filter((item) => !patch.includes(item));
  if (shape?.type !== 'list' || shape.strategy !== 'merge') return patch;
  if (original.length === 0 && patch.length === 0) return original;

  const mergeKey = shape.mergeKey;
  const kind = elementKind([...original, ...patch]) ?? 'scalar';
  if (kind === 'scalar') {
    const merged = [...new Set([...original, ...patch])];
    const inPatch = merged.filter((item) => patch.includes(item));
    const serverOnly = merged.filter((item) => !patch.includes(item));
    return normalizeElementOrder(inPatch, serverOnly, patch, original, mergeKey, kind);
  }
  if (mergeKey === undefined) throw badRequest('cannot merge lists without merge key for type map');

  const { remaining, updates, replace } = applySpecialElements(original, patch as JsonMap[], mergeKey);
  // `$patch: replace` makes the other patch items the whole list, in the patch's order.
  if (replace) return updates.map((item) => mergeMap({}, item, itemShape(shape)));
  const merged = [...remaining];
  for (const update of updates) {
    const value = mergeKeyValue(update, mergeKey);
    const at = merged.findIndex((item) => isJsonObject(item) && item[mergeKey] === value);
    const existing = merged[at];
    if (isJsonObject(existing)) merged[at] = mergeMap(existing, update, itemShape(shape));
    else merged.push(mergeMap({}, update, itemShape(shape)));
  }
  const inPatch = merged.filter((item) => indexIn(updates, item, mergeKey, kind) >= 0);
  const serverOnly = merged.filter((item) => indexIn(updates, item, mergeKey, kind) < 0);
  return normalizeElementOrder(inPatch, serverOnly, updates, remaining, mergeKey, kind);
}

/**
 * Applies `$patch` items of a keyed list: `delete` drops the items with that key,
 * `replace` makes the rest of the patch list the whole list. Returns what is left of
 * the original, the plain items still to merge, and whether they replace the list.
 */
function applySpecialElements(
  original: unknown[],
  patch: JsonMap[],
  mergeKey: string,
): { remaining: unknown[]; updates: JsonMap[]; replace: boolean } {
  let remaining = original;
  let replace = false;
  const updates: JsonMap[] = [];
  for (const item of patch) {
    if (!Object.hasOwn(item, DIRECTIVE)) {
      updates.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      const value = mergeKeyValue(item, mergeKey);
      remaining = remaining.filter((entry) => !(isJsonObject(entry) && entry[mergeKey] === value));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badRequest(`unknown patch type: ${describeJson(directive)} in map: ${describeJson(item)}`);
    }
  }
  return { remaining, updates, replace };
}

/**
 * The kind shared by every item ('map' or 'scalar'), undefined for no items. Lists of
 * lists and mixed lists cannot be merged.
 */
function elementKind(items: unknown[]): ElementKind | undefined {
  let kind: ElementKind | undefined;
  for (const item of items) {
    if (Array.isArray(item)) throw invalid('lists of lists are not supported');
    const itemKind: ElementKind = isJsonObject(item) ? 'map' : 'scalar';
    if (kind !== undefined && kind !== itemKind) {
      throw badRequest(`list element types are not identical: ${describeJson(items)}`);
    }
    kind = itemKind;
  }
  return kind;
}

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string | undefined, kind: ElementKind): number {
  if (kind === 'scalar' || mergeKey === undefined) return list.indexOf(item);
  const value = isJsonObject(item) ? item[mergeKey] : undefined;
  return list.findIndex((entry) => isJsonObject(entry) && entry[mergeKey] === value);
}

/**
 * apimachinery's `normalizeElementOrder`: patch items sorted by `patchOrder`, server-only
 * items sorted by their live order, then the two interleaved by live order; a patch item
 * the live list lacks goes before the server-only item being compared with it.
 */
function normalizeElementOrder(
  inPatch: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string | undefined,
  kind: ElementKind,
): unknown[] {
  if (kind === 'map' && mergeKey !== undefined) {
    for (const item of [...inPatch, ...serverOnly, ...patchOrder, ...serverOrder]) mergeKeyValue(item, mergeKey);
  }
  const sortBy = (items: unknown[], order: readonly unknown[]): unknown[] => {
    const rank = (item: unknown): number => {
      const at = indexIn(order, item, mergeKey, kind);
      return at < 0 ? Number.MAX_SAFE_INTEGER : at;
    };
    return items
      .map((item, position) => ({ item, position, rank: rank(item) }))
      .sort((a, b) => a.rank - b.rank || a.position - b.position)
      .map(({ item }) => item);
  };
  const left = sortBy(serverOnly, serverOrder);
  const right = sortBy(inPatch, patchOrder);
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) {
      result.push(left[i++]);
    } else if (i >= left.length) {
      result.push(right[j++]);
    } else {
      const leftAt = indexIn(serverOrder, left[i], mergeKey, kind);
      const rightAt = indexIn(serverOrder, right[j], mergeKey, kind);
      if (leftAt >= 0 && rightAt >= 0 && leftAt < rightAt) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}
