/**
 * The YAML <-> path mapping as it was before `yaml-index.ts`: every question walks the `yaml`
 * package's AST. Kept unchanged as the oracle of the differential tests: the index must give
 * the same answer at every offset, for every text (valid, half-typed or broken).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { childPath, item, key, parsePath } from '../field-path.js';
import type { FieldPath } from '../field-path.js';
import { fieldShape, itemShape, mergeKeyOf, shapeOfKind } from '../k8s-schema.js';
import type { ObjectShape, Shape } from '../k8s-schema.js';

/** A half-open range of UTF-16 offsets into a text (the units of JS strings and Monaco). */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** A parsed YAML text with what the path walk needs; reused for every question about the same text. */
export interface YamlIndex {
  readonly text: string;
  readonly doc: Document.Parsed;
  /** The shape of the document's object, from its own apiVersion/kind. */
  readonly shape: ObjectShape;
  /** True when the text uses anchors or aliases (an edit at one place may show at another). */
  readonly hasAliases: boolean;
  /** Parse errors; the AST is still the parser's best effort for the valid part. */
  readonly errors: readonly string[];
}

const MEMO_SIZE = 4;
const memo: YamlIndex[] = [];

/**
 * Parses `text` once per distinct text: parsing dominates every question asked about a
 * document, and an editor asks many (cursor moves, decorations) between two keystrokes.
 */
export function referenceIndex(text: string): YamlIndex {
  for (const entry of memo) if (entry.text === text) return entry;
  const doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: false });
  const contents = doc.contents;
  let apiVersion: string | undefined;
  let kind: string | undefined;
  let hasAliases = false;
  if (isMap(contents)) {
    for (const pair of contents.items) {
      const name = keyName(pair);
      if ((name === 'apiVersion' || name === 'kind') && isScalar(pair.value) && typeof pair.value.value === 'string') {
        if (name === 'apiVersion') apiVersion = pair.value.value;
        else kind = pair.value.value;
      }
    }
  }
  if (text.includes('*') || text.includes('&') || text.includes('<<')) hasAliases = hasAliasNode(contents);
  const index: YamlIndex = {
    text,
    doc,
    shape: shapeOfKind(apiVersion, kind),
    hasAliases,
    errors: doc.errors.map((e) => e.message),
  };
  memo.unshift(index);
  if (memo.length > MEMO_SIZE) memo.pop();
  return index;
}

function hasAliasNode(node: unknown): boolean {
  if (isAlias(node)) return true;
  if (isMap(node)) return node.items.some((p) => (isScalar(p.key) && p.key.value === '<<') || hasAliasNode(p.key) || hasAliasNode(p.value));
  if (isSeq(node)) return node.items.some(hasAliasNode);
  return false;
}

/** The string form of a pair's key, or undefined for complex keys (which no field path can name). */
export function keyName(pair: Pair<unknown, unknown>): string | undefined {
  const k = pair.key;
  if (!isScalar(k)) return undefined;
  const v = k.value;
  if (v === null || v === undefined) return typeof k.source === 'string' && k.source !== '' ? k.source : 'null';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** End of a node's own text: a scalar's last character, a collection's last item, without trailing comments. */
export function contentEnd(text: string, node: unknown): number | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if (isMap(node) || isSeq(node)) {
    if (node.flow || node.items.length === 0) return node.range?.[1];
    const last = node.items[node.items.length - 1];
    return isPair(last) ? pairEnd(text, last) : contentEnd(text, last);
  }
  const range = (node as Node).range;
  if (!range) return undefined;
  let end = range[1];
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    while (end > range[0] && /\s/.test(text[end - 1] as string)) end--;
  }
  return end;
}

export function pairStart(pair: Pair<unknown, unknown>): number | undefined {
  const k = pair.key as Node | null;
  return k?.range?.[0];
}

/** A pair ends at its value's end, or just after the `:` of a key without a value. */
export function pairEnd(text: string, pair: Pair<unknown, unknown>): number | undefined {
  const k = pair.key as Node | null;
  const keyEnd = k?.range?.[1];
  if (keyEnd === undefined) return undefined;
  const valueEnd = contentEnd(text, pair.value);
  let end = Math.max(keyEnd, valueEnd ?? keyEnd);
  if (valueEnd === undefined || isEmptyScalar(pair.value)) {
    // Include the `:` so a cursor right after `key:` is still on the key.
    let i = keyEnd;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ':') end = Math.max(end, i + 1);
  }
  return end;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.range !== undefined && node.range !== null && node.range[0] === node.range[1];
}

/** Where a list item starts: its `-` in a block list (scanning back over comment lines), else its node. */
export function itemStart(text: string, seq: YAMLSeq, node: unknown): number | undefined {
  const start = (node as Node | null)?.range?.[0];
  if (start === undefined) return undefined;
  if (seq.flow) return start;
  let i = start - 1;
  for (;;) {
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
    if (i < 0) return start;
    if (text[i] === '-') return i;
    if (text[i] !== '\n') return start;
    // The item's content starts on a later line than its dash: look at the previous line.
    const lineStart = text.lastIndexOf('\n', i - 1) + 1;
    const line = text.slice(lineStart, i);
    const trimmed = line.trimStart();
    const at = lineStart + (line.length - trimmed.length);
    if (trimmed.startsWith('#') || trimmed === '') {
      i = lineStart - 1;
      continue;
    }
    if (trimmed.startsWith('-') && /^-\s*(#.*)?$/.test(trimmed)) return at;
    return start;
  }
}

/** The merge-key value of a list item, when it is a map carrying a string or number there. */
function mergeKeyValue(node: unknown, mergeKey: string): string | number | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (keyName(pair) !== mergeKey) continue;
    const v = isScalar(pair.value) ? pair.value.value : undefined;
    return typeof v === 'string' || typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

const keyedMemo = new WeakMap<YAMLSeq, Map<string, boolean>>();

/** `isKeyedList` on the AST: every item a map with a unique string/number merge key. */
export function isKeyedSeq(seq: YAMLSeq, mergeKey: string): boolean {
  let perKey = keyedMemo.get(seq);
  const known = perKey?.get(mergeKey);
  if (known !== undefined) return known;
  const seen = new Set<string>();
  let keyed = true;
  for (const entry of seq.items) {
    const v = mergeKeyValue(entry, mergeKey);
    const id = `${typeof v}:${String(v)}`;
    if (v === undefined || seen.has(id)) {
      keyed = false;
      break;
    }
    seen.add(id);
  }
  if (!perKey) keyedMemo.set(seq, (perKey = new Map()));
  perKey.set(mergeKey, keyed);
  return keyed;
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
function lastStartingBefore<T>(entries: readonly T[], startOf: (entry: T) => number | undefined, offset: number): T | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  let found: T | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = entries[mid] as T;
    const start = startOf(entry);
    if (start === undefined) return linearLast(entries, startOf, offset);
    if (start <= offset) {
      found = entry;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function linearLast<T>(entries: readonly T[], startOf: (entry: T) => number | undefined, offset: number): T | undefined {
  let found: T | undefined;
  for (const entry of entries) {
    const start = startOf(entry);
    if (start !== undefined && start <= offset) found = entry;
  }
  return found;
}

function locate(index: YamlIndex, offset: number): Located | undefined {
  const { text } = index;
  let node: unknown = index.doc.contents;
  let shape: Shape | undefined = index.shape;
  let path: FieldPath = '';
  let found: Located | undefined;
  for (;;) {
    if (isMap(node)) {
      const map: YAMLMap<unknown, unknown> = node;
      const pair = lastStartingBefore(map.items, pairStart, offset);
      if (!pair) break;
      const start = pairStart(pair);
      const end = pairEnd(text, pair);
      const name = keyName(pair);
      if (name === undefined || !within(offset, start, end)) break;
      path = childPath(path, key(name));
      found = { path, start: start as number, end: end as number };
      shape = fieldShape(shape, name);
      node = pair.value;
    } else if (isSeq(node)) {
      const seq: YAMLSeq = node;
      const mergeKey = mergeKeyOf(shape);
      // Inside an atomic list (or a keyed list broken by hand) the field is the list itself.
      if (mergeKey === undefined || !isKeyedSeq(seq, mergeKey)) break;
      const entry = lastStartingBefore(seq.items, (e) => itemStart(text, seq, e), offset);
      if (entry === undefined) break;
      const start = itemStart(text, seq, entry);
      const end = contentEnd(text, entry);
      const value = mergeKeyValue(entry, mergeKey);
      if (value === undefined || !within(offset, start, end)) break;
      path = childPath(path, item(mergeKey, value));
      found = { path, start: start as number, end: end as number };
      shape = itemShape(shape);
      node = entry;
    } else break;
  }
  return found;
}

/**
 * The innermost field at a cursor offset (on its key or anywhere in its value), or undefined
 * when the cursor is on no field (blank lines and comments between top-level fields, or a
 * text too broken to say). Never throws.
 */
export function referencePathAt(text: string, offset: number): FieldPath | undefined {
  try {
    return locate(referenceIndex(text), offset)?.path;
  } catch {
    return undefined;
  }
}

/**
 * The text range of a field: from its key (or a list item's `-`) to the end of its value.
 * `[$order]` paths give the list's range. A path through an alias ends at the alias.
 * Undefined when the text has no such field or the path is malformed.
 */
export function referenceRangeOf(text: string, path: FieldPath): TextRange | undefined {
  try {
    return rangeInIndex(referenceIndex(text), path);
  } catch {
    return undefined;
  }
}

/** `rangeOf` on an already indexed text. */
export function rangeInIndex(index: YamlIndex, path: FieldPath): TextRange | undefined {
  const { text } = index;
  let node: unknown = index.doc.contents;
  const segments = parsePath(path);
  if (segments.length === 0) {
    const start = (node as Node | null)?.range?.[0];
    const end = contentEnd(text, node);
    return start === undefined || end === undefined ? undefined : { start, end };
  }
  let range: TextRange | undefined;
  for (const segment of segments) {
    if (isAlias(node)) return range;
    if (segment.type === 'key') {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => keyName(p) === segment.key);
      if (!pair) return undefined;
      const start = pairStart(pair);
      const end = pairEnd(text, pair);
      if (start === undefined || end === undefined) return undefined;
      range = { start, end };
      node = pair.value;
    } else if (segment.type === 'item') {
      if (!isSeq(node)) return undefined;
      const seq: YAMLSeq = node;
      const entry = seq.items.find((e) => mergeKeyValue(e, segment.mergeKey) === segment.value);
      if (entry === undefined) return undefined;
      const start = itemStart(text, seq, entry);
      const end = contentEnd(text, entry);
      if (start === undefined || end === undefined) return undefined;
      range = { start, end };
      node = entry;
    } else if (!isSeq(node)) return undefined;
  }
  return range;
}
