/**
 * The structure of a YAML text as field-path questions see it: maps of named pairs, lists of
 * items, scalars, each with the source offsets that `pathAt`, `rangeOf` and `textEdits` use.
 *
 * Two readers build it. `scanBlockYaml` reads the block-style subset that Kubernetes objects
 * are written in, in one pass (about half a millisecond for 2,000 lines), and a text that
 * differs from the last one read by an edit within one line (a keystroke) from that one's
 * index, in a tenth of that. Every other text (flow collections, anchors, tags, multi-line
 * scalars, invalid or half-typed YAML) is parsed by the `yaml` package and its AST is copied
 * into the same shape, so both readers give identical answers; the differential tests hold
 * them to it.
 *
 * Offsets follow one convention everywhere: a pair runs from its key to the end of its value,
 * a list item from its `-`, a value ends at its last character (no trailing comment or blank
 * line; a block scalar without its trailing whitespace).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair, YAMLSeq } from 'yaml';
import { shapeOfKind } from './k8s-schema.js';
import type { ObjectShape } from './k8s-schema.js';
import type { IndexNode, ScalarNode, ScalarStyle, SeqNode, YamlIndex } from './yaml-nodes.js';
import { scanBlockYaml } from './yaml-scan/block-scanner.js';
import { decodeScalar } from './yaml-scan/values.js';

const MEMO_SIZE = 4;
const memo: YamlIndex[] = [];

/**
 * Reads `text` once per distinct text: an editor asks many questions (cursor moves,
 * decorations, leases) between two keystrokes.
 */
export function indexYaml(text: string): YamlIndex {
  for (const entry of memo) if (entry.text === text) return entry;
  // A new text is most often the last one read after a keystroke: the scanner reads it from that one.
  const index = scannedIndex(text, memo.find((entry) => entry.reader === 'scan')) ?? parsedIndex(text);
  memo.unshift(index);
  if (memo.length > MEMO_SIZE) memo.pop();
  return index;
}

/**
 * The index built by the block scanner, or undefined when the text is outside its subset.
 * With `previous` (an index the scanner built), a text that differs from it within one line
 * is read from it.
 */
export function scannedIndex(text: string, previous?: YamlIndex): YamlIndex | undefined {
  const root = scanBlockYaml(text, previous?.reader === 'scan' ? previous.root : undefined);
  if (root === undefined) return undefined;
  return { text, root, shape: documentShape(text, root), hasAliases: false, errors: [], reader: 'scan' };
}

/** The index built from the `yaml` package's AST (any text, including broken ones). */
export function parsedIndex(text: string): YamlIndex {
  const doc = parseDocument(text, { keepSourceTokens: false, prettyErrors: false });
  const contents = doc.contents;
  const hasAliases = (text.includes('*') || text.includes('&') || text.includes('<<')) && hasAliasNode(contents);
  const root = fromAst(text, contents);
  return { text, root, shape: documentShape(text, root), hasAliases, errors: doc.errors.map((e) => e.message), reader: 'yaml' };
}

function documentShape(text: string, root: IndexNode | undefined): ObjectShape {
  let apiVersion: string | undefined;
  let kind: string | undefined;
  if (root?.kind === 'map') {
    for (const pair of root.pairs) {
      if (pair.name !== 'apiVersion' && pair.name !== 'kind') continue;
      const value = pair.value?.kind === 'scalar' ? scalarValue(text, pair.value) : undefined;
      if (typeof value !== 'string') continue;
      if (pair.name === 'apiVersion') apiVersion = value;
      else kind = value;
    }
  }
  return shapeOfKind(apiVersion, kind);
}

/** A scalar's value when it is a string or a number; null for any other value. */
export function scalarValue(text: string, node: ScalarNode): string | number | null {
  return node.value !== undefined ? node.value : decodeScalar(text, node);
}

/** The merge-key value of a list item, when it is a map carrying a string or number there. */
export function mergeKeyValue(text: string, node: IndexNode | undefined, mergeKey: string): string | number | undefined {
  if (node?.kind !== 'map') return undefined;
  const value = node.pairNamed(mergeKey)?.value;
  return value?.kind === 'scalar' ? (scalarValue(text, value) ?? undefined) : undefined;
}

const keyedMemo = new WeakMap<SeqNode, Map<string, boolean>>();

/** `isKeyedList` on the index: every item a map with a unique string/number merge key. */
export function isKeyedSeq(text: string, seq: SeqNode, mergeKey: string): boolean {
  let perKey = keyedMemo.get(seq);
  const known = perKey?.get(mergeKey);
  if (known !== undefined) return known;
  const seen = new Set<string>();
  let keyed = true;
  for (const entry of seq.items) {
    const v = mergeKeyValue(text, entry.node, mergeKey);
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

// ---------------------------------------------------------------------------------------
// The `yaml` reader: the AST's ranges, turned into the index's offsets.

function hasAliasNode(node: unknown): boolean {
  if (isAlias(node)) return true;
  if (isMap(node)) return node.items.some((p) => (isScalar(p.key) && p.key.value === '<<') || hasAliasNode(p.key) || hasAliasNode(p.value));
  if (isSeq(node)) return node.items.some(hasAliasNode);
  return false;
}

function fromAst(text: string, node: unknown): IndexNode | undefined {
  if (node === null || node === undefined) return undefined;
  const start = (node as Node).range?.[0];
  const end = contentEnd(text, node);
  const anchored = typeof (node as Node).anchor === 'string' && (node as Node).anchor !== '';
  if (isMap(node)) {
    const pairs = node.items.map((pair) => ({
      name: keyName(pair),
      start: pairStart(pair),
      keyEnd: (pair.key as Node | null)?.range?.[1],
      end: pairEnd(text, pair),
      value: fromAst(text, pair.value),
    }));
    return { kind: 'map', flow: node.flow === true, start, end, anchored, pairs, pairNamed: (name) => pairs.find((p) => p.name === name) };
  }
  if (isSeq(node)) {
    const items = node.items.map((entry) => ({ start: itemStart(text, node, entry), end: contentEnd(text, entry), node: fromAst(text, entry) }));
    return { kind: 'seq', flow: node.flow === true, start, end, anchored, items };
  }
  if (isScalar(node)) {
    const v = node.value;
    const range = node.range;
    return {
      kind: 'scalar',
      style: node.type as ScalarStyle | undefined,
      start,
      end,
      anchored,
      empty: range !== undefined && range !== null && range[0] === range[1],
      value: typeof v === 'string' || typeof v === 'number' ? v : null,
    };
  }
  if (isAlias(node)) return { kind: 'alias', start, end, anchored: false };
  return { kind: 'other', start, end, anchored: false };
}

/** The string form of a pair's key, or undefined for complex keys (which no field path can name). */
function keyName(pair: Pair<unknown, unknown>): string | undefined {
  const k = pair.key;
  if (!isScalar(k)) return undefined;
  const v = k.value;
  if (v === null || v === undefined) return typeof k.source === 'string' && k.source !== '' ? k.source : 'null';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** End of a node's own text: a scalar's last character, a collection's last item, without trailing comments. */
function contentEnd(text: string, node: unknown): number | undefined {
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

function pairStart(pair: Pair<unknown, unknown>): number | undefined {
  const k = pair.key as Node | null;
  return k?.range?.[0];
}

/** A pair ends at its value's end, or just after the `:` of a key without a value. */
function pairEnd(text: string, pair: Pair<unknown, unknown>): number | undefined {
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
function itemStart(text: string, seq: YAMLSeq, node: unknown): number | undefined {
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
