/**
 * Applying field changes (from `diffFields`) to another version of an object, and reading
 * the value at a field path.
 *
 * Keyed-list positions are what makes a three-way merge hard: the same change set applied
 * to two different versions must order concurrent inserts the same way. The rules:
 * - a new item goes after its nearest predecessor (in the source list) that the target
 *   has; items the source list does not know (the other side's inserts) at that spot
 *   come first, unless `role` is `'theirs'`;
 * - `[$order]` moves each named item together with the unnamed items that follow it;
 * - with `role: 'theirs'`, an item both sides added is moved to the source's position
 *   (after the target's own inserts there), together with the unnamed items that follow
 *   it; so both sides' inserts anchored on it stay with it.
 */
import { parsePath, type FieldPath, type PathSegment } from './field-path.js';
import type { FieldChange } from './diff.js';
import { cloneJson, getKey, isJsonObject, setKey, type JsonObject, type JsonValue } from './json.js';
import { fieldShape, itemShape, mergeKeyOf, shapeOfObject, type Shape } from './k8s-schema.js';

export interface ApplySide {
  /** The version the changes were diffed to; new list items are positioned as in it. */
  readonly source?: JsonValue;
  /**
   * Which side of a rebase the changes come from. `'mine'` (the default) places new items
   * after the target's own inserts at the same spot; `'theirs'` places them before.
   */
  readonly role?: 'mine' | 'theirs';
}

type Id = string | number;

function findItem(list: readonly JsonValue[], mergeKey: string, id: Id): number {
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (isJsonObject(entry) && getKey(entry, mergeKey) === id) return i;
  }
  return -1;
}

function idOf(entry: JsonValue | undefined, mergeKey: string): unknown {
  return isJsonObject(entry) ? getKey(entry, mergeKey) : undefined;
}

/** Reads the node at `segments` without creating anything. */
function lookup(root: JsonValue | undefined, segments: readonly PathSegment[]): JsonValue | undefined {
  let node = root;
  for (const segment of segments) {
    if (segment.type === 'key') node = isJsonObject(node) ? getKey(node, segment.key) : undefined;
    else if (segment.type === 'item') {
      if (!Array.isArray(node)) return undefined;
      const i = findItem(node, segment.mergeKey, segment.value);
      node = i < 0 ? undefined : node[i];
    } else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** The shape of the node at `segments`, following the schema of the root's kind. */
function shapeAt(root: JsonValue, segments: readonly PathSegment[]): Shape | undefined {
  let shape: Shape | undefined = shapeOfObject(root);
  for (const segment of segments) {
    if (segment.type === 'key') shape = fieldShape(shape, segment.key);
    else if (segment.type === 'item') shape = itemShape(shape);
  }
  return shape;
}

/**
 * The value at `path`, or undefined when the field is absent. For `...[$order]`, the
 * merge-key values of the list's items in order.
 */
export function valueAtPath(root: JsonValue, path: FieldPath): JsonValue | undefined {
  const segments = parsePath(path);
  const last = segments[segments.length - 1];
  if (last?.type !== 'order') return lookup(root, segments);
  const listSegments = segments.slice(0, -1);
  const list = lookup(root, listSegments);
  const mergeKey = mergeKeyOf(shapeAt(root, listSegments));
  if (!Array.isArray(list) || mergeKey === undefined) return undefined;
  return list.map((entry) => (isJsonObject(entry) ? (getKey(entry, mergeKey) ?? null) : null));
}

class Applier {
  private readonly sourceLists = new Map<string, { index: Map<unknown, number>; list: readonly JsonValue[] } | undefined>();

  constructor(
    public root: JsonValue,
    private readonly side: ApplySide,
  ) {}

  private sourceList(segments: readonly PathSegment[], listKey: string): { index: Map<unknown, number>; list: readonly JsonValue[] } | undefined {
    if (this.sourceLists.has(listKey)) return this.sourceLists.get(listKey);
    const list = this.side.source === undefined ? undefined : lookup(this.side.source, segments);
    let found: { index: Map<unknown, number>; list: readonly JsonValue[] } | undefined;
    if (Array.isArray(list)) found = { list, index: new Map() };
    this.sourceLists.set(listKey, found);
    return found;
  }

  /** Where a source item goes in the target list: after its nearest predecessor the target has. */
  private insertionIndex(list: readonly JsonValue[], listSegments: readonly PathSegment[], mergeKey: string, id: Id, skipForeign: boolean): number {
    const source = this.sourceList(listSegments, JSON.stringify(listSegments));
    if (!source) return list.length;
    if (source.index.size === 0) source.list.forEach((entry, i) => source.index.set(idOf(entry, mergeKey), i));
    const at = source.index.get(id);
    if (at === undefined) return list.length;
    let position = 0;
    for (let j = at - 1; j >= 0; j--) {
      const predecessor = idOf(source.list[j], mergeKey);
      const found = typeof predecessor === 'string' || typeof predecessor === 'number' ? findItem(list, mergeKey, predecessor) : -1;
      if (found >= 0) {
        position = found + 1;
        break;
      }
    }
    if (skipForeign) {
      while (position < list.length && !source.index.has(idOf(list[position], mergeKey))) position++;
    }
    return position;
  }

  /** How many items from `start` form a group: the item and the following items the source does not know. */
  private groupLength(list: readonly JsonValue[], listSegments: readonly PathSegment[], mergeKey: string, start: number): number {
    const source = this.sourceList(listSegments, JSON.stringify(listSegments));
    if (!source) return 1;
    if (source.index.size === 0) source.list.forEach((entry, i) => source.index.set(idOf(entry, mergeKey), i));
    let end = start + 1;
    while (end < list.length && !source.index.has(idOf(list[end], mergeKey))) end++;
    return end - start;
  }

  /** Walks to the node at `segments`, creating missing maps, lists and items on the way. */
  private container(segments: readonly PathSegment[], leaf: 'map' | 'list'): JsonValue {
    if (segments.length === 0) {
      if (leaf === 'map' ? !isJsonObject(this.root) : !Array.isArray(this.root)) this.root = leaf === 'map' ? {} : [];
      return this.root;
    }
    let node = this.root;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as PathSegment;
      const next = segments[i + 1];
      const wantList = next === undefined ? leaf === 'list' : next.type !== 'key';
      const fresh = (): JsonValue => (wantList ? [] : {});
      const fits = (v: JsonValue | undefined): v is JsonValue => (wantList ? Array.isArray(v) : isJsonObject(v));
      if (segment.type === 'key') {
        if (!isJsonObject(node)) throw new Error(`Cannot create ${segment.key}: its parent is not a map`);
        let child = getKey(node, segment.key);
        if (!fits(child)) {
          child = fresh();
          setKey(node, segment.key, child);
        }
        node = child;
      } else if (segment.type === 'item') {
        if (!Array.isArray(node)) throw new Error(`Cannot create list item ${segment.mergeKey}=${segment.value}: its parent is not a list`);
        let at = findItem(node, segment.mergeKey, segment.value);
        if (at < 0) {
          const parentSegments = segments.slice(0, i);
          at = this.insertionIndex(node, parentSegments, segment.mergeKey, segment.value, this.side.role !== 'theirs');
          node.splice(at, 0, { [segment.mergeKey]: segment.value });
        }
        const child = node[at] as JsonValue;
        if (next !== undefined && !fits(child)) throw new Error(`List item ${segment.mergeKey}=${segment.value} is not a map`);
        node = child;
      }
    }
    return node;
  }

  /** Adds, replaces and removes of map keys, and removes of list items. */
  applyField(change: FieldChange, segments: readonly PathSegment[]): void {
    const last = segments[segments.length - 1];
    if (last === undefined) {
      this.root = change.op === 'remove' ? null : cloneJson(change.after ?? null);
      return;
    }
    const parentSegments = segments.slice(0, -1);
    if (change.op === 'remove') {
      const parent = lookup(this.root, parentSegments);
      if (last.type === 'key' && isJsonObject(parent) && Object.hasOwn(parent, last.key)) delete parent[last.key];
      if (last.type === 'item' && Array.isArray(parent)) {
        const at = findItem(parent, last.mergeKey, last.value);
        if (at >= 0) parent.splice(at, 1);
      }
      return;
    }
    if (last.type === 'key') {
      const parent = this.container(parentSegments, 'map') as JsonObject;
      setKey(parent, last.key, cloneJson(change.after ?? null));
    }
  }

  /** `[$order]`: named items take the given relative order, each carrying the unnamed items after it. */
  applyOrder(change: FieldChange, segments: readonly PathSegment[]): void {
    const listSegments = segments.slice(0, -1);
    const list = lookup(this.root, listSegments);
    const mergeKey = mergeKeyOf(shapeAt(this.root, listSegments));
    if (!Array.isArray(list) || mergeKey === undefined || !Array.isArray(change.after)) return;
    const rank = new Map<unknown, number>();
    change.after.forEach((id, i) => rank.set(id, i));
    const leading: JsonValue[] = [];
    const groups: (JsonValue[] | undefined)[] = [];
    let current = leading;
    for (const entry of list) {
      const r = rank.get(idOf(entry, mergeKey));
      if (r === undefined) current.push(entry);
      else {
        current = [entry];
        groups[r] = current;
      }
    }
    const reordered = leading.concat(...groups.filter((g): g is JsonValue[] => g !== undefined));
    list.splice(0, list.length, ...reordered);
  }

  /** Adds and replaces of whole keyed-list items, positioned as in the source. */
  applyItem(change: FieldChange, segments: readonly PathSegment[], last: Extract<PathSegment, { type: 'item' }>): void {
    const listSegments = segments.slice(0, -1);
    const list = this.container(listSegments, 'list') as JsonValue[];
    const value = cloneJson(change.after ?? null);
    const existing = findItem(list, last.mergeKey, last.value);
    if (existing < 0) {
      list.splice(this.insertionIndex(list, listSegments, last.mergeKey, last.value, this.side.role !== 'theirs'), 0, value);
      return;
    }
    if (change.op === 'add' && this.side.role === 'theirs') {
      const group = list.splice(existing, this.groupLength(list, listSegments, last.mergeKey, existing));
      group[0] = value;
      list.splice(this.insertionIndex(list, listSegments, last.mergeKey, last.value, true), 0, ...group);
      return;
    }
    list[existing] = value;
  }
}

/**
 * Applies `changes` to a copy of `target` and returns it (the inputs are not modified).
 * Adds and replaces create missing parents; removes of absent fields do nothing. Order:
 * field changes and removals, then `[$order]`, then new list items in the given order.
 */
export function applyChanges(target: JsonValue, changes: readonly FieldChange[], side: ApplySide = {}): JsonValue {
  const applier = new Applier(cloneJson(target), side);
  const orders: [FieldChange, PathSegment[]][] = [];
  const items: [FieldChange, PathSegment[], Extract<PathSegment, { type: 'item' }>][] = [];
  for (const change of changes) {
    const segments = parsePath(change.path);
    const last = segments[segments.length - 1];
    if (last?.type === 'order') orders.push([change, segments]);
    else if (last?.type === 'item' && change.op !== 'remove') items.push([change, segments, last]);
    else applier.applyField(change, segments);
  }
  for (const [change, segments] of orders) applier.applyOrder(change, segments);
  for (const [change, segments, last] of items) applier.applyItem(change, segments, last);
  return applier.root;
}
