/**
 * Re-reading an edited line. A keystroke changes one line; when that line keeps its parts
 * (the same indentation, `-`, key and kind of value, or stays a comment), the scanner would
 * record the same nodes and entries for the new text, at offsets that moved within the line
 * and by the edit's length after it. So the previous tables are copied with their offsets
 * moved instead of scanning the whole text again. Anything else is read by a full scan.
 */
import { DASH, DOT, GREATER, HASH, OUTSIDE, PERCENT, PIPE, SPACE, UNSUPPORTED_CHARACTER } from './characters.js';
import { inlineValueEnd, inlineValueKind, keyEnd, keyName } from './line-parts.js';
import { E_END, E_KEY_END, E_NEXT, E_START, ENTRY, K_MAP, N_COUNT, N_END, N_FIRST, N_KIND, N_START, NODE } from './tables.js';
import { ScannedTree } from './tree.js';

/** Where the scanner finds the parts of one line (-1 for a part the line lacks). */
interface LineParts {
  readonly indent: number;
  readonly comment: boolean;
  readonly dash: number;
  readonly keyStart: number;
  readonly colon: number;
  /** 0 when the value is not on the line (it follows on the next lines, or is empty). */
  readonly valueKind: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** Where the empty value of a `key:` with nothing after it is placed. */
  readonly emptyAt: number;
}

/**
 * The parts of the line `[lineStart, lineEnd)` as the scanner reads them, or undefined for a
 * line it reads some other way (blank, a document marker, a block scalar header) or rejects.
 */
function lineParts(text: string, lineStart: number, lineEnd: number): LineParts | undefined {
  let i = lineStart;
  while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
  if (i === lineEnd) return undefined;
  const indent = i - lineStart;
  const c = text.charCodeAt(i);
  const none = { indent, comment: false, dash: -1, keyStart: -1, colon: -1, valueKind: 0, valueStart: -1, valueEnd: -1, emptyAt: -1 };
  if (c === HASH) return { ...none, comment: true };
  if (indent === 0 && (c === PERCENT || ((c === DASH || c === DOT) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c && (i + 3 === lineEnd || text.charCodeAt(i + 3) === SPACE)))) return undefined;
  let j = i;
  let dash = -1;
  if (c === DASH && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) {
    dash = i;
    j = i + 1;
    while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
    if (j === lineEnd || text.charCodeAt(j) === HASH) return { ...none, dash };
    if (text.charCodeAt(j) === DASH && (j + 1 === lineEnd || text.charCodeAt(j + 1) === SPACE)) return undefined;
  }
  const colon = keyEnd(text, j, lineEnd);
  let keyStart = -1;
  if (colon >= 0) {
    if (colon - j > 1000) return undefined;
    keyStart = j;
    j = colon + 1;
    while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
    if (j === lineEnd || text.charCodeAt(j) === HASH) return { ...none, dash, keyStart, colon, emptyAt: j };
  } else if (dash < 0) return undefined;
  const first = text.charCodeAt(j);
  if (first === PIPE || first === GREATER) return undefined;
  return { ...none, dash, keyStart, colon, valueKind: inlineValueKind(first), valueStart: j, valueEnd: inlineValueEnd(text, j, lineEnd) };
}

/** The tables of `text`, from those of `previous` when the two differ within one line that keeps its parts. */
export function rereadEdit(previous: ScannedTree, text: string): ScannedTree | undefined {
  const old = previous.text;
  if (old === text) return previous;
  const delta = text.length - old.length;
  const [p, s] = commonEnds(old, text);
  // The removed and the inserted text hold no line break.
  const lineStart = old.lastIndexOf('\n', p - 1) + 1;
  let oldLineEnd = old.indexOf('\n', p);
  if (oldLineEnd < 0) oldLineEnd = old.length;
  let newLineEnd = text.indexOf('\n', p);
  if (newLineEnd < 0) newLineEnd = text.length;
  if (oldLineEnd < old.length - s || newLineEnd < text.length - s) return undefined;
  if (UNSUPPORTED_CHARACTER.test(text.slice(p, text.length - s))) return undefined;
  // Lines of a block scalar's body are read with the block's own rules.
  for (const block of previous.blocks) if (block.from <= lineStart && lineStart <= block.to) return undefined;
  const before = lineParts(old, lineStart, oldLineEnd);
  const after = lineParts(text, lineStart, newLineEnd);
  if (
    !before ||
    !after ||
    before.indent !== after.indent ||
    before.comment !== after.comment ||
    before.dash !== after.dash ||
    before.keyStart !== after.keyStart ||
    before.valueKind !== after.valueKind ||
    (before.emptyAt < 0) !== (after.emptyAt < 0)
  ) {
    return undefined;
  }
  if (before.colon >= 0) {
    const name = keyName(text, after.keyStart, after.colon);
    if (name !== keyName(old, before.keyStart, before.colon) && hasSiblingNamed(previous, before.keyStart, name)) return undefined;
  }
  // Offsets on the edited line are the parts' offsets; after it they move by the edit's length.
  const from = [before.dash, before.keyStart, before.colon, before.valueStart, before.valueEnd, before.emptyAt];
  const to = [after.dash, after.keyStart, after.colon, after.valueStart, after.valueEnd, after.emptyAt];
  const moved = (x: number): number => {
    if (x < lineStart) return x;
    if (x > oldLineEnd) return x + delta;
    const k = from.indexOf(x);
    if (k < 0) throw OUTSIDE;
    return to[k] as number;
  };
  // Copied whole, then the offsets moved.
  const nodes = new Int32Array(previous.nodes);
  for (let r = 0; r < nodes.length; r += NODE) {
    nodes[r + N_START] = moved(nodes[r + N_START] as number);
    nodes[r + N_END] = moved(nodes[r + N_END] as number);
  }
  const entries = new Int32Array(previous.entries);
  for (let r = 0; r < entries.length; r += ENTRY) {
    entries[r + E_START] = moved(entries[r + E_START] as number);
    entries[r + E_END] = moved(entries[r + E_END] as number);
    const keyEndAt = entries[r + E_KEY_END] as number;
    if (keyEndAt >= 0) entries[r + E_KEY_END] = moved(keyEndAt);
  }
  const blocks = previous.blocks.map((block) => ({ ...block, from: moved(block.from), to: moved(block.to) }));
  return new ScannedTree(text, nodes, entries, blocks);
}

/**
 * The lengths of the longest common prefix and (after it) common suffix of two texts.
 * Whole chunks are compared as strings first: far faster than comparing characters.
 */
function commonEnds(a: string, b: string): [number, number] {
  const shorter = Math.min(a.length, b.length);
  let p = 0;
  while (p + CHUNK <= shorter && a.substring(p, p + CHUNK) === b.substring(p, p + CHUNK)) p += CHUNK;
  while (p < shorter && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s + CHUNK <= shorter - p && a.substring(a.length - s - CHUNK, a.length - s) === b.substring(b.length - s - CHUNK, b.length - s)) s += CHUNK;
  while (s < shorter - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return [p, s];
}
const CHUNK = 1024;

/** True when the map holding the key at `keyStart` has another key named `name`. */
function hasSiblingNamed(tree: ScannedTree, keyStart: number, name: string): boolean {
  const { nodes, entries, text } = tree;
  for (let r = 0; r < nodes.length; r += NODE) {
    if (nodes[r + N_KIND] !== K_MAP) continue;
    const count = nodes[r + N_COUNT] as number;
    let holds = false;
    for (let k = 0, at = nodes[r + N_FIRST] as number; k < count; k++, at = entries[at * ENTRY + E_NEXT] as number) {
      if (entries[at * ENTRY + E_START] === keyStart) holds = true;
    }
    if (!holds) continue;
    for (let k = 0, at = nodes[r + N_FIRST] as number; k < count; k++, at = entries[at * ENTRY + E_NEXT] as number) {
      const start = entries[at * ENTRY + E_START] as number;
      if (start !== keyStart && keyName(text, start, entries[at * ENTRY + E_KEY_END] as number) === name) return true;
    }
    return false;
  }
  return false;
}
