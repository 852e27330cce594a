/**
 * Field-level diff of two versions of a Kubernetes object.
 *
 * Changes are as small as the object's structure allows and never overlap each other:
 * maps are compared key by key, keyed lists item by item (by merge key, from the
 * `k8s-schema` table for the object's own apiVersion/kind), and everything else (scalars,
 * atomic lists, primitive sets) whole. The order of a keyed list is its own field,
 * `...containers[$order]`, so reordering never collides with editing an item.
 */
import { formatPath, item, order, type FieldPath } from './field-path.js';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { fieldShape, itemShape, mergeKeyOf, shapeOfObject, type Shape } from './k8s-schema.js';

/** One field that differs between two versions of an object. */
export interface FieldChange {
  readonly path: FieldPath;
  readonly op: 'add' | 'remove' | 'replace';
  /** The old value (absent for `add`). Shares structure with the diffed object: treat as read-only. */
  readonly before?: JsonValue;
  /** The new value (absent for `remove`). For `[$order]`, the merge-key values in their new relative order. */
  readonly after?: JsonValue;
}

export interface DiffOptions {
  /** Subtrees to skip; defaults to `BOOKKEEPING_PATHS`. Pass `[]` to compare everything. */
  readonly ignore?: readonly FieldPath[];
}

/** Fields the API server and controllers maintain; a change in them alone never makes a save stale. */
export const BOOKKEEPING_PATHS: readonly FieldPath[] = [
  'status',
  'metadata.resourceVersion',
  'metadata.generation',
  'metadata.managedFields',
  'metadata.uid',
  'metadata.creationTimestamp',
];

// Same rule as field-path.ts, inlined because map keys are the hot path of every diff.
const BARE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `childPath(parent, key(k))` with the diff's cached key formatting. */
export function keyChildPath(parent: FieldPath, k: string): FieldPath {
  const suffix = keySuffix(k);
  return parent === '' && suffix.startsWith('.') ? suffix.slice(1) : parent + suffix;
}

/**
 * A path built lazily: most visited fields never change, so their path strings are only
 * formatted when a change is reported or an ignored subtree may lie below.
 */
class PathNode {
  private text: FieldPath | undefined;
  constructor(
    private readonly parent: PathNode | undefined,
    /** The formatted segment, or undefined to format it from `key`, or `mergeKey` and `id`, when needed. */
    private suffix: string | undefined,
    /** True when an ignored path may lie at or below this node. */
    readonly nearIgnored: boolean,
    private readonly key?: string,
    private readonly mergeKey?: string,
    private readonly id?: string | number,
  ) {
    if (parent === undefined) this.text = suffix;
  }
  get path(): FieldPath {
    if (this.text === undefined) {
      const parentPath = (this.parent as PathNode).path;
      const suffix = (this.suffix ??= this.key !== undefined ? keySuffix(this.key) : itemSuffix(this.mergeKey as string, this.id as string | number));
      this.text = parentPath === '' && suffix.startsWith('.') ? suffix.slice(1) : parentPath + suffix;
    }
    return this.text;
  }
}

const keySuffixes = new Map<string, string>();
/** The formatted segment for a map key (`.image`, `["example.com/owner"]`), cached: keys repeat a lot. */
function keySuffix(k: string): string {
  let suffix = keySuffixes.get(k);
  if (suffix === undefined) {
    suffix = BARE_KEY.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    if (keySuffixes.size < 10_000) keySuffixes.set(k, suffix);
  }
  return suffix;
}

/** Index of a keyed list by merge-key value, or undefined when it is not a keyed list (see `isKeyedList`). */
function indexKeyedList(list: readonly JsonValue[], mergeKey: string): Map<string | number, number> | undefined {
  const index = new Map<string | number, number>();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!isJsonObject(entry) || !Object.hasOwn(entry, mergeKey)) return undefined;
    const id = entry[mergeKey];
    if ((typeof id !== 'string' && typeof id !== 'number') || index.has(id)) return undefined;
    index.set(id, i);
  }
  return index;
}

class Differ {
  readonly changes: FieldChange[] = [];
  private readonly ignored: ReadonlySet<FieldPath>;
  /** Every proper ancestor of an ignored path: only below these can a child be ignored. */
  private readonly ignoredAncestors = new Set<FieldPath>();

  constructor(ignore: readonly FieldPath[]) {
    this.ignored = new Set(ignore);
    for (const path of ignore) {
      this.ignoredAncestors.add('');
      for (let i = 1; i < path.length; i++) if (path[i] === '.' || path[i] === '[') this.ignoredAncestors.add(path.slice(0, i));
    }
  }

  root(): PathNode {
    return new PathNode(undefined, '', this.ignoredAncestors.has(''));
  }

  /** The node of a keyed-list item; its suffix is only formatted when its path is needed. */
  private itemChild(parent: PathNode, mergeKey: string, id: string | number): PathNode | undefined {
    if (!parent.nearIgnored) return new PathNode(parent, undefined, false, undefined, mergeKey, id);
    return this.child(parent, itemSuffix(mergeKey, id));
  }

  /** The node of a map key; its suffix is only formatted when its path is needed. */
  private keyChild(parent: PathNode, k: string): PathNode | undefined {
    if (!parent.nearIgnored) return new PathNode(parent, undefined, false, k);
    return this.child(parent, keySuffix(k));
  }

  /** The child node, or undefined when the child's subtree is ignored. */
  private child(parent: PathNode, suffix: string): PathNode | undefined {
    if (!parent.nearIgnored) return new PathNode(parent, suffix, false);
    const node = new PathNode(parent, suffix, false);
    const path = node.path;
    if (this.ignored.has(path)) return undefined;
    return this.ignoredAncestors.has(path) ? new PathNode(parent, suffix, true) : node;
  }

  value(at: PathNode, shape: Shape | undefined, before: JsonValue, after: JsonValue): void {
    if (before === after) return;
    if (isJsonObject(before) && isJsonObject(after)) return this.map(at, shape, before, after);
    if (Array.isArray(before) && Array.isArray(after)) {
      const mergeKey = mergeKeyOf(shape);
      if (mergeKey !== undefined) {
        if (this.sameKeyedItems(at, shape, mergeKey, before, after)) return;
        const beforeIndex = indexKeyedList(before, mergeKey);
        const afterIndex = beforeIndex && indexKeyedList(after, mergeKey);
        if (beforeIndex && afterIndex) return this.keyedList(at, shape, mergeKey, before as JsonObject[], after as JsonObject[], afterIndex);
      }
      if (jsonEqual(before, after)) return;
    }
    this.changes.push({ path: at.path, op: 'replace', before, after });
  }

  private map(at: PathNode, shape: Shape | undefined, before: JsonObject, after: JsonObject): void {
    for (const k in before) {
      if (!Object.hasOwn(before, k)) continue;
      const inAfter = Object.hasOwn(after, k);
      const b = before[k] as JsonValue;
      if (inAfter && b === after[k]) continue;
      const child = this.keyChild(at, k);
      if (child === undefined) continue;
      if (!inAfter) this.changes.push({ path: child.path, op: 'remove', before: b });
      else this.value(child, fieldShape(shape, k), b, after[k] as JsonValue);
    }
    for (const k in after) {
      if (!Object.hasOwn(after, k) || Object.hasOwn(before, k)) continue;
      const child = this.keyChild(at, k);
      if (child !== undefined) this.added(child, fieldShape(shape, k), after[k] as JsonValue);
    }
  }

  /** A new field: a non-empty map or keyed list is split so each new leaf or item is its own add. */
  added(at: PathNode, shape: Shape | undefined, after: JsonValue): void {
    if (isJsonObject(after)) {
      const keys = Object.keys(after);
      if (keys.length === 0) {
        this.changes.push({ path: at.path, op: 'add', after });
        return;
      }
      for (const k of keys) {
        const child = this.keyChild(at, k);
        if (child !== undefined) this.added(child, fieldShape(shape, k), after[k] as JsonValue);
      }
      return;
    }
    const mergeKey = mergeKeyOf(shape);
    if (Array.isArray(after) && after.length > 0 && mergeKey !== undefined && indexKeyedList(after, mergeKey)) {
      for (const entry of after as JsonObject[]) {
        const child = this.itemChild(at, mergeKey, entry[mergeKey] as string | number);
        if (child !== undefined) this.changes.push({ path: child.path, op: 'add', after: entry });
      }
      return;
    }
    this.changes.push({ path: at.path, op: 'add', after });
  }

  /**
   * The common case of a keyed list whose items kept their ids and positions: items are
   * diffed pairwise without building indexes. False (nothing reported) when it does not apply.
   */
  private sameKeyedItems(at: PathNode, shape: Shape | undefined, mergeKey: string, before: readonly JsonValue[], after: readonly JsonValue[]): boolean {
    const n = before.length;
    if (n !== after.length || n > SMALL_LIST) return false;
    for (let i = 0; i < n; i++) {
      const b = before[i];
      const a = after[i];
      if (!isJsonObject(b) || !isJsonObject(a) || !Object.hasOwn(b, mergeKey) || !Object.hasOwn(a, mergeKey)) return false;
      const id = b[mergeKey];
      if ((typeof id !== 'string' && typeof id !== 'number') || id !== a[mergeKey]) return false;
      // Same ids in the same order: unique in one list means unique in both (=== as the Map's SameValueZero, NaN aside).
      for (let j = 0; j < i; j++) if ((before[j] as JsonObject)[mergeKey] === id) return false;
    }
    const entryShape = itemShape(shape);
    for (let i = 0; i < n; i++) {
      const b = before[i] as JsonObject;
      const a = after[i] as JsonObject;
      if (b === a) continue;
      const child = this.itemChild(at, mergeKey, b[mergeKey] as string | number);
      if (child !== undefined) this.value(child, entryShape, b, a);
    }
    return true;
  }

  private keyedList(at: PathNode, shape: Shape | undefined, mergeKey: string, before: JsonObject[], after: JsonObject[], afterIndex: Map<string | number, number>): void {
    const entryShape = itemShape(shape);
    // Map keys compare by SameValueZero, so the number 80 and the string "80" stay distinct items.
    const beforeIds = new Set<string | number>();
    const commonBefore: (string | number)[] = [];
    for (const entry of before) {
      const id = entry[mergeKey] as string | number;
      beforeIds.add(id);
      const j = afterIndex.get(id);
      if (j === undefined) {
        const child = this.itemChild(at, mergeKey, id);
        if (child !== undefined) this.changes.push({ path: child.path, op: 'remove', before: entry });
        continue;
      }
      commonBefore.push(id);
      const counterpart = after[j] as JsonObject;
      if (entry === counterpart) continue;
      const child = this.itemChild(at, mergeKey, id);
      if (child !== undefined) this.value(child, entryShape, entry, counterpart);
    }
    const commonAfter: (string | number)[] = [];
    for (const entry of after) {
      const id = entry[mergeKey] as string | number;
      if (beforeIds.has(id)) {
        commonAfter.push(id);
        continue;
      }
      const child = this.itemChild(at, mergeKey, id);
      if (child !== undefined) this.changes.push({ path: child.path, op: 'add', after: entry });
    }
    for (let i = 0; i < commonBefore.length; i++) {
      if (commonBefore[i] !== commonAfter[i]) {
        const child = this.child(at, ORDER_SUFFIX);
        if (child !== undefined) this.changes.push({ path: child.path, op: 'replace', before: commonBefore, after: commonAfter });
        return;
      }
    }
  }
}

/** Up to this many items, the pairwise id check of `sameKeyedItems` is cheaper than indexing. */
const SMALL_LIST = 32;
const ORDER_SUFFIX = formatPath([order()]);
const itemSuffix = (mergeKey: string, id: string | number): string => formatPath([item(mergeKey, id)]);

/** The shape used for a pair of versions: the base's kind, or the edited one's when the base is not an object. */
export function shapeOfPair(base: JsonValue | undefined, edited: JsonValue | undefined): Shape {
  return isJsonObject(base) ? shapeOfObject(base) : shapeOfObject(edited);
}

/**
 * The field changes that turn `base` into `edited`. Leaf-level for maps, item-level for
 * keyed lists, whole for atomic lists and scalars; `options.ignore` subtrees are skipped.
 */
export function diffFields(base: JsonValue, edited: JsonValue, options: DiffOptions = {}): FieldChange[] {
  const differ = new Differ(options.ignore ?? BOOKKEEPING_PATHS);
  differ.value(differ.root(), shapeOfPair(base, edited), base, edited);
  return differ.changes;
}

/** True when `current` differs from `base` only in status and bookkeeping fields (`BOOKKEEPING_PATHS`). */
export function isBookkeepingOnly(base: JsonValue, current: JsonValue): boolean {
  return diffFields(base, current).length === 0;
}
