/**
 * YAML text <-> field paths: which field a cursor is in (`pathAt`), and where a field is in
 * the text (`rangeOf`), for presence, locks and editor decorations.
 *
 * Both walk the text's index (`yaml-index.ts`) and use the same notion of a field's extent
 * (from its key, or a list item's `-`, to the end of its value, without trailing comments or
 * blank lines), so `rangeOf(text, pathAt(text, o))` always contains `o`. Keyed-list items
 * are named by their merge key (per the document's own apiVersion/kind); inside an atomic
 * list the path is the list itself.
 */
import { childPath, item, key, parsePath } from './field-path.js';
import type { FieldPath } from './field-path.js';
import { fieldShape, itemShape, mergeKeyOf } from './k8s-schema.js';
import type { Shape } from './k8s-schema.js';
import { indexYaml, isKeyedSeq, mergeKeyValue } from './yaml-index.js';
import type { IndexNode, YamlIndex } from './yaml-nodes.js';

export { indexYaml } from './yaml-index.js';
export type { YamlIndex } from './yaml-nodes.js';

/** A half-open range of UTF-16 offsets into a text (the units of JS strings and Monaco). */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column, as Monaco's `IPosition` uses them. */
export interface TextPosition {
  readonly lineNumber: number;
  readonly column: number;
}

/** The field under the cursor: a map entry, or a keyed-list item. */
interface Located {
  readonly path: FieldPath;
  readonly start: number;
  readonly end: number;
}

function within(offset: number, start: number | undefined, end: number | undefined): boolean {
  return start !== undefined && end !== undefined && start <= offset && offset <= end;
}

/** The last entry whose start is at or before `offset` (entries are in text order). */
function lastStartingBefore<T extends { readonly start: number | undefined }>(entries: readonly T[], offset: number): T | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = entries[mid] as T;
    const start = entry.start;
    if (start === undefined) return linearLast(entries, offset);
    if (start <= offset) {
      found = entry;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function linearLast<T extends { readonly start: number | undefined }>(entries: readonly T[], offset: number): T | undefined {
  let found: T | undefined;
  for (const entry of entries) {
    if (entry.start !== undefined && entry.start <= offset) found = entry;
  }
  return found;
}

function locate(index: YamlIndex, offset: number): Located | undefined {
  const { text } = index;
  let node: IndexNode | undefined = index.root;
  let shape: Shape | undefined = index.shape;
  let path: FieldPath = '';
  let found: Located | undefined;
  for (;;) {
    if (node?.kind === 'map') {
      const pair = lastStartingBefore(node.pairs, offset);
      if (!pair) break;
      const name = pair.name;
      if (name === undefined || !within(offset, pair.start, pair.end)) break;
      path = childPath(path, key(name));
      found = { path, start: pair.start as number, end: pair.end as number };
      shape = fieldShape(shape, name);
      node = pair.value;
    } else if (node?.kind === 'seq') {
      const mergeKey = mergeKeyOf(shape);
      // Inside an atomic list (or a keyed list broken by hand) the field is the list itself.
      if (mergeKey === undefined || !isKeyedSeq(text, node, mergeKey)) break;
      const entry = lastStartingBefore(node.items, offset);
      if (entry === undefined) break;
      const value = mergeKeyValue(text, entry.node, mergeKey);
      if (value === undefined || !within(offset, entry.start, entry.end)) break;
      path = childPath(path, item(mergeKey, value));
      found = { path, start: entry.start as number, end: entry.end as number };
      shape = itemShape(shape);
      node = entry.node;
    } else break;
  }
  return found;
}

/**
 * The innermost field at a cursor offset (on its key or anywhere in its value), or undefined
 * when the cursor is on no field (blank lines and comments between top-level fields, or a
 * text too broken to say). Never throws.
 */
export function pathAt(text: string, offset: number): FieldPath | undefined {
  try {
    return locate(indexYaml(text), offset)?.path;
  } catch {
    return undefined;
  }
}

/**
 * The text range of a field: from its key (or a list item's `-`) to the end of its value.
 * `[$order]` paths give the list's range. A path through an alias ends at the alias.
 * Undefined when the text has no such field or the path is malformed.
 */
export function rangeOf(text: string, path: FieldPath): TextRange | undefined {
  try {
    return rangeInIndex(indexYaml(text), path);
  } catch {
    return undefined;
  }
}

/** `rangeOf` on an already indexed text. */
export function rangeInIndex(index: YamlIndex, path: FieldPath): TextRange | undefined {
  const { text } = index;
  let node: IndexNode | undefined = index.root;
  const segments = parsePath(path);
  if (segments.length === 0) {
    const start = node?.start;
    const end = node?.end;
    return start === undefined || end === undefined ? undefined : { start, end };
  }
  let range: TextRange | undefined;
  for (const segment of segments) {
    if (node?.kind === 'alias') return range;
    if (segment.type === 'key') {
      if (node?.kind !== 'map') return undefined;
      const pair = node.pairNamed(segment.key);
      if (!pair) return undefined;
      const { start, end } = pair;
      if (start === undefined || end === undefined) return undefined;
      range = { start, end };
      node = pair.value;
    } else if (segment.type === 'item') {
      if (node?.kind !== 'seq') return undefined;
      const entry = node.items.find((e) => mergeKeyValue(text, e.node, segment.mergeKey) === segment.value);
      if (entry === undefined) return undefined;
      const { start, end } = entry;
      if (start === undefined || end === undefined) return undefined;
      range = { start, end };
      node = entry.node;
    } else if (node?.kind !== 'seq') return undefined;
  }
  return range;
}

/** 1-based line and column of an offset (clamped to the text). */
export function offsetToPosition(text: string, offset: number): TextPosition {
  const at = Math.max(0, Math.min(offset, text.length));
  let lineNumber = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    lineNumber++;
    lineStart = i + 1;
  }
  return { lineNumber, column: at - lineStart + 1 };
}

/** Offset of a 1-based line and column (clamped to the line and the text). */
export function positionToOffset(text: string, position: TextPosition): number {
  let lineStart = 0;
  for (let line = 1; line < position.lineNumber; line++) {
    const next = text.indexOf('\n', lineStart);
    if (next < 0) return text.length;
    lineStart = next + 1;
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  return Math.min(lineStart + Math.max(0, position.column - 1), lineEnd);
}
