/**
 * A one-pass reader for the block-style YAML that Kubernetes objects are written in: block
 * maps and lists (including `- key: value` items and items whose content starts on the next
 * line), one-line plain and quoted scalars, `|`/`>` block scalars, `{}` and `[]`, comments,
 * a leading `---`. It builds the same index as the `yaml` package's AST gives, so it must
 * be sure: anything else (flow collections with content, anchors, aliases, tags, multi-line
 * plain or quoted scalars, tabs, directives, several documents, duplicate keys, keys that are
 * not plainly strings, text the parser would report an error for) makes it give up, and the
 * caller parses the text with `yaml` instead.
 *
 * Given the index of the text before a keystroke, it reads the new text from that one when
 * the edit stays within a line that keeps its parts (`rereadEdit`).
 */
import type { BlockBody, IndexNode, ItemEntry, MapNode, PairEntry, ScalarNode, ScalarStyle, SeqNode } from './yaml-index.js';

/** Thrown inside the scanner for anything outside the subset; never escapes it. */
class OutsideSubset {}
const OUTSIDE = new OutsideSubset();

const SPACE = 32;
const QUOTE_DOUBLE = 34;
const HASH = 35;
const QUOTE_SINGLE = 39;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const BACKSLASH = 92;
const LEFT_BRACKET = 91;
const RIGHT_BRACKET = 93;
const LEFT_BRACE = 123;
const RIGHT_BRACE = 125;
const PIPE = 124;
const GREATER = 62;
const PERCENT = 37;

/**
 * Characters that make the scanner give up wherever they are: tabs and carriage returns
 * (indentation and line-break rules it does not model), control characters, a byte-order
 * mark, and the Unicode spaces and line separators that the parser or `\s` treat specially.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSUPPORTED_CHARACTER = /[\u0000-\u0009\u000b-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Plain keys the scanner accepts: they resolve to themselves as strings. */
const KEY_FIRST = new Uint8Array(128);
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const letter = /[A-Za-z_/$]/.test(ch);
  KEY_FIRST[c] = letter ? 1 : 0;
  KEY_CHAR[c] = letter || /[0-9.-]/.test(ch) ? 1 : 0;
}
/** Plain keys that the core schema reads as null or a boolean, and their hashes (keys are compared by hash first). */
const NON_STRING_KEYS = ['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'];

/** Characters that cannot start a plain scalar (or that start something the scanner leaves to `yaml`). */
const NOT_PLAIN_START = new Uint8Array(128);
for (const ch of ',[]{}#&*!|>\'"%@`?:') NOT_PLAIN_START[ch.charCodeAt(0)] = 1;

/** Escapes of a double-quoted scalar that take no digits. */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
const HEX = /^[0-9a-fA-F]+$/;

/**
 * The scanner records the document in two flat tables of integers instead of objects, so
 * that reading a 2,000-line text on every keystroke leaves almost nothing for the garbage
 * collector (whose pauses would otherwise dominate the worst keystrokes). Objects are made
 * only for the parts a question walks through (`ScannedTree`).
 *
 * A node record: kind, start, end, then for a collection its first entry and entry count,
 * for a block scalar the index of its body.
 */
const NODE = 5;
const N_KIND = 0;
const N_START = 1;
const N_END = 2;
const N_FIRST = 3;
const N_COUNT = 4;

const K_MAP = 1;
const K_SEQ = 2;
const K_FLOW_MAP = 3;
const K_FLOW_SEQ = 4;
const K_PLAIN = 5;
const K_QUOTE_SINGLE = 6;
const K_QUOTE_DOUBLE = 7;
const K_BLOCK_LITERAL = 8;
const K_BLOCK_FOLDED = 9;
const K_EMPTY = 10;
/** The `yaml` package's scalar type for a scalar kind (an empty value is a plain scalar there). */
function styleOf(kind: number): ScalarStyle {
  switch (kind) {
    case K_QUOTE_SINGLE:
      return 'QUOTE_SINGLE';
    case K_QUOTE_DOUBLE:
      return 'QUOTE_DOUBLE';
    case K_BLOCK_LITERAL:
      return 'BLOCK_LITERAL';
    case K_BLOCK_FOLDED:
      return 'BLOCK_FOLDED';
    default:
      return 'PLAIN';
  }
}

/**
 * An entry record (a pair or a list item): start, end, the end of its key (-1 for an item),
 * its value's node (-1 while it has none), and the next entry of the same collection (-1
 * for the last). Entries are recorded in text order, so a collection's entries are too.
 */
const ENTRY = 5;
const E_START = 0;
const E_END = 1;
const E_KEY_END = 2;
const E_VALUE = 3;
const E_NEXT = 4;

/** Records for a scan, sized on the last one: the next text is most often that one after a keystroke. */
function tableSize(lastCount: number): number {
  return Math.max(256, lastCount + (lastCount >> 2));
}

/** Working tables of the scan under way (scans never overlap). */
let nodeTable = new Int32Array(NODE * tableSize(0));
let entryTable = new Int32Array(ENTRY * tableSize(0));
/** Hash of each entry's key, to find duplicate keys without making strings. */
let keyHashTable = new Int32Array(tableSize(0));

function grown(table: Int32Array<ArrayBuffer>, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= table.length) return table;
  const bigger = new Int32Array(Math.max(needed, table.length * 2));
  bigger.set(table);
  return bigger;
}

/**
 * The document's top map, or undefined when the text is outside the subset. `previous` is the
 * top map of a text read before, most often the same document before a keystroke: when the
 * two differ within one line, the new text is read from the previous one's tables.
 */
export function scanBlockYaml(text: string, previous?: IndexNode): IndexNode | undefined {
  const before = previous instanceof ScannedMap ? previous.tree : undefined;
  const tree = (before && insideSubset(() => rereadEdit(before, text))) ?? insideSubset(() => (UNSUPPORTED_CHARACTER.test(text) ? undefined : new BlockScanner(text).scan()));
  return tree?.node(ROOT);
}

/** The document's map is the first node recorded. */
const ROOT = 0;

/** The tree `read` gives, or undefined when it finds the text outside the subset. */
function insideSubset(read: () => ScannedTree | undefined): ScannedTree | undefined {
  try {
    return read();
  } catch (error) {
    if (error === OUTSIDE) return undefined;
    throw error;
  }
}

const NO_PENDING = 0;
const PENDING_PAIR = 1;
const PENDING_ITEM = 2;

class BlockScanner {
  private readonly n: number;
  private nodeCount = 0;
  private entryCount = 0;
  private readonly blocks: BlockBody[] = [];
  /** Open collections, innermost last: indentation, node, last entry (-1 for none yet), owner entry (-1 for the document). */
  private readonly frameIndent: number[] = [];
  private readonly frameNode: number[] = [];
  private readonly frameLast: number[] = [];
  private readonly frameOwner: number[] = [];
  /** A key or a `-` whose value starts on a later line (or is empty). */
  private pending = NO_PENDING;
  private pendingEntry = -1;
  private pendingIndent = 0;
  private pendingEmptyAt = 0;
  private root = -1;
  private sawDocumentStart = false;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  scan(): ScannedTree | undefined {
    const { text, n } = this;
    let pos = 0;
    while (pos < n) {
      let lineEnd = text.indexOf('\n', pos);
      if (lineEnd < 0) lineEnd = n;
      let i = pos;
      while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      // Blank lines and comment lines carry no structure.
      if (i === lineEnd || text.charCodeAt(i) === HASH) pos = lineEnd + 1;
      else pos = this.line(pos, i, lineEnd);
    }
    if (this.pending !== NO_PENDING) this.resolvePending(-1, false, -1);
    while (this.frameNode.length > 0) this.close();
    if (this.root < 0) return undefined;
    // The tables go to the index as they are; the next scan gets fresh ones (cheaper than copying).
    const tree = new ScannedTree(text, nodeTable.subarray(0, this.nodeCount * NODE), entryTable.subarray(0, this.entryCount * ENTRY), this.blocks);
    nodeTable = new Int32Array(NODE * tableSize(this.nodeCount));
    entryTable = new Int32Array(ENTRY * tableSize(this.entryCount));
    return tree;
  }

  private node(kind: number, start: number, end: number): number {
    const at = this.nodeCount++;
    nodeTable = grown(nodeTable, this.nodeCount * NODE);
    const r = at * NODE;
    nodeTable[r + N_KIND] = kind;
    nodeTable[r + N_START] = start;
    nodeTable[r + N_END] = end;
    nodeTable[r + N_FIRST] = 0;
    nodeTable[r + N_COUNT] = 0;
    return at;
  }

  /** A new entry, the last of the innermost collection. */
  private entry(start: number, end: number, keyEnd: number, hash: number): number {
    const at = this.entryCount++;
    entryTable = grown(entryTable, this.entryCount * ENTRY);
    keyHashTable = grown(keyHashTable, this.entryCount);
    const r = at * ENTRY;
    entryTable[r + E_START] = start;
    entryTable[r + E_END] = end;
    entryTable[r + E_KEY_END] = keyEnd;
    entryTable[r + E_VALUE] = -1;
    entryTable[r + E_NEXT] = -1;
    keyHashTable[at] = hash;
    const top = this.frameLast.length - 1;
    const node = this.frameNode[top] as number;
    const last = this.frameLast[top] as number;
    if (last < 0) nodeTable[node * NODE + N_FIRST] = at;
    else entryTable[last * ENTRY + E_NEXT] = at;
    nodeTable[node * NODE + N_COUNT] = (nodeTable[node * NODE + N_COUNT] as number) + 1;
    this.frameLast[top] = at;
    return at;
  }

  /** Makes `node` the value of an open entry, which then ends where the node ends (so far). */
  private setValue(entry: number, node: number): void {
    entryTable[entry * ENTRY + E_VALUE] = node;
    entryTable[entry * ENTRY + E_END] = nodeTable[node * NODE + N_END] as number;
  }

  private open(indent: number, node: number, owner: number): void {
    this.frameIndent.push(indent);
    this.frameNode.push(node);
    this.frameLast.push(-1);
    this.frameOwner.push(owner);
  }

  /** Closes the innermost collection: it ends where its last entry ends, and so does its owner. */
  private close(): void {
    this.frameIndent.pop();
    const node = this.frameNode.pop() as number;
    const last = this.frameLast.pop() as number;
    const owner = this.frameOwner.pop() as number;
    const end = entryTable[last * ENTRY + E_END] as number;
    nodeTable[node * NODE + N_END] = end;
    if (owner >= 0) entryTable[owner * ENTRY + E_END] = end;
  }

  /** One line with content at `i`; returns where the next line starts. */
  private line(lineStart: number, i: number, lineEnd: number): number {
    const { text } = this;
    const indent = i - lineStart;
    const c = text.charCodeAt(i);
    if (indent === 0 && (c === DASH || c === DOT) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c && (i + 3 === lineEnd || text.charCodeAt(i + 3) === SPACE)) {
      // `---` may open the one document, before its content; `...` and a second `---` are left to `yaml`.
      if (c === DOT || this.root >= 0 || this.sawDocumentStart) throw OUTSIDE;
      this.sawDocumentStart = true;
      lineRest(text, i + 3, lineEnd);
      return lineEnd + 1;
    }
    if (indent === 0 && c === PERCENT) throw OUTSIDE;
    const dash = c === DASH && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE);
    if (this.pending !== NO_PENDING) this.resolvePending(indent, dash, i);
    if (this.root < 0) {
      if (indent !== 0 || dash) throw OUTSIDE;
      this.root = this.node(K_MAP, i, -1);
      this.open(0, this.root, -1);
    }
    const frames = this.frameIndent;
    while (frames.length > 0 && (frames[frames.length - 1] as number) > indent) this.close();
    if (frames.length === 0 || frames[frames.length - 1] !== indent) throw OUTSIDE;
    if (nodeTable[(this.frameNode[frames.length - 1] as number) * NODE + N_KIND] === K_SEQ) {
      if (dash) return this.item(lineStart, i, lineEnd);
      // A key at the indentation of a list ends the list, when the list is that map's value (`key:\n- a`).
      this.close();
      if (frames.length === 0 || frames[frames.length - 1] !== indent) throw OUTSIDE;
    } else if (dash) throw OUTSIDE;
    return this.pair(i, lineEnd, keyEnd(text, i, lineEnd));
  }

  /** The value of a `key:` or `-` left open on an earlier line: a collection starting at `at`, or empty. */
  private resolvePending(indent: number, dash: boolean, at: number): void {
    const pending = this.pending;
    this.pending = NO_PENDING;
    if (indent > this.pendingIndent || (pending === PENDING_PAIR && indent === this.pendingIndent && dash)) {
      const node = this.node(dash ? K_SEQ : K_MAP, at, -1);
      this.setValue(this.pendingEntry, node);
      this.open(indent, node, this.pendingEntry);
    } else if (pending === PENDING_PAIR) {
      this.setValue(this.pendingEntry, this.node(K_EMPTY, this.pendingEmptyAt, this.pendingEmptyAt));
    } else {
      // An empty list item: left to `yaml`.
      throw OUTSIDE;
    }
  }

  /** `- ...` in the innermost (list) collection. */
  private item(lineStart: number, dash: number, lineEnd: number): number {
    const { text } = this;
    const seqIndent = this.frameIndent[this.frameIndent.length - 1] as number;
    const item = this.entry(dash, dash + 1, -1, 0);
    let j = dash + 1;
    while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
    if (j === lineEnd || text.charCodeAt(j) === HASH) {
      this.setPending(PENDING_ITEM, item, seqIndent, 0);
      return lineEnd + 1;
    }
    // `- - x` (a list in a list on one line) is left to `yaml`.
    if (text.charCodeAt(j) === DASH && (j + 1 === lineEnd || text.charCodeAt(j + 1) === SPACE)) throw OUTSIDE;
    const colon = keyEnd(text, j, lineEnd);
    if (colon < 0) return this.value(j, lineEnd, seqIndent, item);
    // `- key: value`: a map whose keys line up with this first one.
    const map = this.node(K_MAP, j, -1);
    this.setValue(item, map);
    this.open(j - lineStart, map, item);
    return this.pair(j, lineEnd, colon);
  }

  private setPending(kind: number, entry: number, indent: number, emptyAt: number): void {
    this.pending = kind;
    this.pendingEntry = entry;
    this.pendingIndent = indent;
    this.pendingEmptyAt = emptyAt;
  }

  /** `key: ...` in the innermost (map) collection; `colon` is the offset of its `:`. */
  private pair(i: number, lineEnd: number, colon: number): number {
    const { text } = this;
    // The parser allows at most 1,024 characters from a key's start to its `:`.
    if (colon < 0 || colon - i > 1000) throw OUTSIDE;
    const mapIndent = this.frameIndent[this.frameIndent.length - 1] as number;
    this.claimKey(i, colon);
    const pair = this.entry(i, colon + 1, colon, keyHash);
    let j = colon + 1;
    while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
    if (j === lineEnd || text.charCodeAt(j) === HASH) {
      this.setPending(PENDING_PAIR, pair, mapIndent, j);
      return lineEnd + 1;
    }
    return this.value(j, lineEnd, mapIndent, pair);
  }

  /** Duplicate keys are a parse error; the scanner leaves them to `yaml`. */
  private claimKey(start: number, colon: number): void {
    const hash = keyHash;
    const node = this.frameNode[this.frameNode.length - 1] as number;
    const count = nodeTable[node * NODE + N_COUNT] as number;
    for (let k = 0, at = nodeTable[node * NODE + N_FIRST] as number; k < count; k++, at = entryTable[at * ENTRY + E_NEXT] as number) {
      const r = at * ENTRY;
      if (keyHashTable[at] !== hash) continue;
      if (keyName(this.text, entryTable[r + E_START] as number, entryTable[r + E_KEY_END] as number) === keyName(this.text, start, colon)) throw OUTSIDE;
    }
  }

  /** A value starting at `j` on the line of its key or `-`; returns where the next line starts. */
  private value(j: number, lineEnd: number, parentIndent: number, owner: number): number {
    const { text } = this;
    const c = text.charCodeAt(j);
    if (c === PIPE || c === GREATER) return this.blockScalar(j, lineEnd, parentIndent, owner);
    const end = inlineValueEnd(text, j, lineEnd);
    this.setValue(owner, this.node(inlineValueKind(c), j, end));
    return lineEnd + 1;
  }

  /**
   * A `|` or `>` block scalar: its header, then every line indented deeper than its parent
   * (the first such line sets the body's indentation) and the blank lines among them.
   */
  private blockScalar(j: number, lineEnd: number, parentIndent: number, owner: number): number {
    const { text, n } = this;
    const folded = text.charCodeAt(j) === GREATER;
    let k = j + 1;
    let chomp: BlockBody['chomp'] = 'clip';
    const indicator = text.charCodeAt(k);
    // Keep chomping (`+`) and explicit indentation (`|2`) are left to `yaml`.
    if (indicator === DASH) {
      chomp = 'strip';
      k++;
    } else if (k < lineEnd && indicator !== SPACE) throw OUTSIDE;
    if (k < lineEnd && text.charCodeAt(k) !== SPACE) throw OUTSIDE;
    lineRest(text, k, lineEnd);
    let headerEnd = lineEnd;
    while (text.charCodeAt(headerEnd - 1) === SPACE) headerEnd--;
    const from = lineEnd + 1;
    let pos = from;
    let indent = -1;
    let end = headerEnd;
    let to = from;
    let blankBetween = false;
    while (pos < n) {
      let le = text.indexOf('\n', pos);
      if (le < 0) le = n;
      let s = pos;
      while (s < le && text.charCodeAt(s) === SPACE) s++;
      if (s === le) {
        // A blank line with more spaces than the body's indentation is content, or before the first content line an error.
        if (le > pos && (indent < 0 || le - pos > indent)) throw OUTSIDE;
        blankBetween = true;
        pos = le + 1;
        continue;
      }
      const lineIndent = s - pos;
      if (indent < 0) {
        if (lineIndent <= parentIndent) break;
        indent = lineIndent;
      } else if (lineIndent < indent) break;
      // Folding is decoded only for the simple case: lines of one indentation, no blank lines.
      if (folded && (lineIndent !== indent || blankBetween)) throw OUTSIDE;
      blankBetween = false;
      let e = le;
      while (text.charCodeAt(e - 1) === SPACE) e--;
      end = e;
      to = le;
      pos = le + 1;
    }
    const node = this.node(folded ? K_BLOCK_FOLDED : K_BLOCK_LITERAL, j, end);
    nodeTable[node * NODE + N_FIRST] = this.blocks.length;
    this.blocks.push({ from, to, indent, chomp });
    this.setValue(owner, node);
    // The line that ended the body (if any) is read again as structure.
    return Math.min(pos, n);
  }
}

// ---------------------------------------------------------------------------------------
// Reading one line's parts; shared by the scanner and by the re-reading of an edited line.

/** Hash of the key that `keyEnd` read last (scans are synchronous, so one variable serves). */
let keyHash = 0;

/**
 * The offset of the `:` after a key starting at `i` (a plain key of safe characters, or a
 * one-line quoted key), followed by a space or the line end; -1 when there is no such key.
 * Leaves the key's hash in `keyHash`. Throws for keys the scanner leaves to `yaml`.
 */
function keyEnd(text: string, i: number, lineEnd: number): number {
  const c = text.charCodeAt(i);
  const quoted = c === QUOTE_DOUBLE || c === QUOTE_SINGLE;
  let k: number;
  let hash = HASH_SEED;
  if (quoted) {
    k = quotedEnd(text, i, lineEnd);
  } else {
    if (c >= 128 || KEY_FIRST[c] !== 1) return -1;
    hash = Math.imul(hash ^ c, HASH_PRIME);
    k = i + 1;
    while (k < lineEnd) {
      const d = text.charCodeAt(k);
      if (d >= 128 || KEY_CHAR[d] !== 1) break;
      hash = Math.imul(hash ^ d, HASH_PRIME);
      k++;
    }
  }
  if (k >= lineEnd || text.charCodeAt(k) !== COLON || (k + 1 < lineEnd && text.charCodeAt(k + 1) !== SPACE)) return -1;
  if (quoted) hash = hashOf(decodeQuoted(text, i, k));
  else if (NON_STRING_HASHES.includes(hash) && NON_STRING_KEYS.includes(text.slice(i, k))) throw OUTSIDE;
  keyHash = hash;
  return k;
}

/** End of a one-line plain scalar (before a comment and trailing spaces). */
function plainEnd(text: string, j: number, lineEnd: number): number {
  let end = j;
  for (let k = j; k < lineEnd; k++) {
    const c = text.charCodeAt(k);
    if (c === SPACE) {
      if (text.charCodeAt(k + 1) === HASH) break;
      continue;
    }
    // `a: b: c` and a `key:` hidden in a value are mapping indicators: left to `yaml`.
    if (c === COLON && (k + 1 === lineEnd || text.charCodeAt(k + 1) === SPACE)) throw OUTSIDE;
    end = k + 1;
  }
  return end;
}

/** End (after the closing quote) of a quoted scalar that closes on its own line. */
function quotedEnd(text: string, i: number, lineEnd: number): number {
  const quote = text.charCodeAt(i);
  for (let k = i + 1; k < lineEnd; k++) {
    const c = text.charCodeAt(k);
    if (c === quote) {
      if (quote === QUOTE_SINGLE && text.charCodeAt(k + 1) === QUOTE_SINGLE) {
        k++;
        continue;
      }
      return k + 1;
    }
    if (c === BACKSLASH && quote === QUOTE_DOUBLE) {
      const next = text[k + 1] as string;
      const digits = HEX_ESCAPE_LENGTH[next];
      if (digits !== undefined) {
        const hex = text.slice(k + 2, k + 2 + digits);
        if (hex.length !== digits || !HEX.test(hex) || parseInt(hex, 16) > 0x10ffff) throw OUTSIDE;
        k += 1 + digits;
      } else if (Object.hasOwn(ESCAPES, next) && k + 1 < lineEnd) k++;
      else throw OUTSIDE;
    }
  }
  // Quoted scalars that go on over several lines are left to `yaml`.
  throw OUTSIDE;
}

/** After a value: only spaces, then a comment (after at least one space) or the line end. */
function lineRest(text: string, k: number, lineEnd: number): void {
  let j = k;
  while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
  if (j < lineEnd && (text.charCodeAt(j) !== HASH || j === k)) throw OUTSIDE;
}

/** The end of a value that is complete on its line (anything but a block scalar) starting at `j`. */
function inlineValueEnd(text: string, j: number, lineEnd: number): number {
  const c = text.charCodeAt(j);
  if (c === QUOTE_DOUBLE || c === QUOTE_SINGLE) {
    const end = quotedEnd(text, j, lineEnd);
    lineRest(text, end, lineEnd);
    return end;
  }
  if ((c === LEFT_BRACE && text.charCodeAt(j + 1) === RIGHT_BRACE) || (c === LEFT_BRACKET && text.charCodeAt(j + 1) === RIGHT_BRACKET)) {
    lineRest(text, j + 2, lineEnd);
    return j + 2;
  }
  if (c < 128 && NOT_PLAIN_START[c] === 1) throw OUTSIDE;
  if (c === DASH && (j + 1 === lineEnd || text.charCodeAt(j + 1) === SPACE)) throw OUTSIDE;
  return plainEnd(text, j, lineEnd);
}

function inlineValueKind(first: number): number {
  if (first === QUOTE_DOUBLE) return K_QUOTE_DOUBLE;
  if (first === QUOTE_SINGLE) return K_QUOTE_SINGLE;
  if (first === LEFT_BRACE) return K_FLOW_MAP;
  if (first === LEFT_BRACKET) return K_FLOW_SEQ;
  return K_PLAIN;
}

/** Hash of a key's string, to find duplicate keys without making strings (FNV-1a over UTF-16 units). */
const HASH_SEED = 0x811c9dc5 | 0;
const HASH_PRIME = 0x01000193;

function hashOf(s: string): number {
  let hash = HASH_SEED;
  for (let k = 0; k < s.length; k++) hash = Math.imul(hash ^ s.charCodeAt(k), HASH_PRIME);
  return hash;
}

const NON_STRING_HASHES = NON_STRING_KEYS.map(hashOf);

/** The string of a key spanning `[start, keyEnd)`. */
function keyName(text: string, start: number, keyEnd: number): string {
  const c = text.charCodeAt(start);
  return c === QUOTE_DOUBLE || c === QUOTE_SINGLE ? decodeQuoted(text, start, keyEnd) : text.slice(start, keyEnd);
}

// ---------------------------------------------------------------------------------------
// Re-reading an edited line. A keystroke changes one line; when that line keeps its parts
// (the same indentation, `-`, key and kind of value, or stays a comment), the scanner would
// record the same nodes and entries for the new text, at offsets that moved within the line
// and by the edit's length after it. So the previous tables are copied with their offsets
// moved instead of scanning the whole text again. Anything else is read by a full scan.

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
function rereadEdit(previous: ScannedTree, text: string): ScannedTree | undefined {
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

// ---------------------------------------------------------------------------------------
// The index's nodes over the scanner's tables, made when a question first reaches them.

class ScannedTree {
  constructor(
    readonly text: string,
    readonly nodes: Int32Array,
    readonly entries: Int32Array,
    readonly blocks: readonly BlockBody[],
  ) {}

  node(at: number): IndexNode {
    const r = at * NODE;
    const kind = this.nodes[r + N_KIND] as number;
    const start = this.nodes[r + N_START] as number;
    const end = this.nodes[r + N_END] as number;
    if (kind === K_MAP || kind === K_FLOW_MAP) return new ScannedMap(this, at, kind === K_FLOW_MAP, start, end);
    if (kind === K_SEQ || kind === K_FLOW_SEQ) return new ScannedSeq(this, at, kind === K_FLOW_SEQ, start, end);
    const scalar: Mutable<ScalarNode> = { kind: 'scalar', style: styleOf(kind), start, end, anchored: false, empty: kind === K_EMPTY };
    if (kind === K_BLOCK_LITERAL || kind === K_BLOCK_FOLDED) scalar.block = this.blocks[this.nodes[r + N_FIRST] as number];
    return scalar;
  }

  /** The entries of the collection at `at`, made by `make` from each entry's record offset. */
  entriesOf<T>(at: number, make: (record: number) => T): T[] {
    const count = this.nodes[at * NODE + N_COUNT] as number;
    const out: T[] = new Array<T>(count);
    for (let k = 0, entry = this.nodes[at * NODE + N_FIRST] as number; k < count; k++, entry = this.entries[entry * ENTRY + E_NEXT] as number) out[k] = make(entry * ENTRY);
    return out;
  }

  /** The value node of the entry record at `record`, or undefined. */
  valueOf(record: number): IndexNode | undefined {
    const value = this.entries[record + E_VALUE] as number;
    return value < 0 ? undefined : this.node(value);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class ScannedMap implements MapNode {
  readonly kind = 'map';
  readonly anchored = false;
  private made: PairEntry[] | undefined;

  constructor(
    readonly tree: ScannedTree,
    private readonly at: number,
    readonly flow: boolean,
    readonly start: number,
    readonly end: number,
  ) {}

  get pairs(): readonly PairEntry[] {
    return (this.made ??= this.tree.entriesOf(this.at, (record) => new ScannedPair(this.tree, record)));
  }

  /** Compares keys in the text, so that finding a list item's merge key makes no other pair. */
  pairNamed(name: string): PairEntry | undefined {
    const { text, nodes, entries } = this.tree;
    const count = nodes[this.at * NODE + N_COUNT] as number;
    for (let k = 0, entry = nodes[this.at * NODE + N_FIRST] as number; k < count; k++, entry = entries[entry * ENTRY + E_NEXT] as number) {
      const record = entry * ENTRY;
      const start = entries[record + E_START] as number;
      const keyEnd = entries[record + E_KEY_END] as number;
      const c = text.charCodeAt(start);
      const quoted = c === QUOTE_DOUBLE || c === QUOTE_SINGLE;
      const same = quoted ? decodeQuoted(text, start, keyEnd) === name : keyEnd - start === name.length && text.startsWith(name, start);
      if (same) return this.made?.[k] ?? new ScannedPair(this.tree, record);
    }
    return undefined;
  }
}

class ScannedPair implements PairEntry {
  readonly start: number;
  readonly keyEnd: number;
  readonly end: number;
  private madeName: string | undefined;
  private madeValue: IndexNode | undefined | null = null;

  constructor(
    private readonly tree: ScannedTree,
    private readonly record: number,
  ) {
    this.start = tree.entries[record + E_START] as number;
    this.keyEnd = tree.entries[record + E_KEY_END] as number;
    this.end = tree.entries[record + E_END] as number;
  }

  get name(): string {
    return (this.madeName ??= keyName(this.tree.text, this.start, this.keyEnd));
  }

  get value(): IndexNode | undefined {
    if (this.madeValue === null) this.madeValue = this.tree.valueOf(this.record);
    return this.madeValue;
  }
}

class ScannedSeq implements SeqNode {
  readonly kind = 'seq';
  readonly anchored = false;
  private made: ItemEntry[] | undefined;

  constructor(
    private readonly tree: ScannedTree,
    private readonly at: number,
    readonly flow: boolean,
    readonly start: number,
    readonly end: number,
  ) {}

  get items(): readonly ItemEntry[] {
    return (this.made ??= this.tree.entriesOf(this.at, (record) => new ScannedItem(this.tree, record)));
  }
}

class ScannedItem implements ItemEntry {
  readonly start: number;
  readonly end: number;
  private madeNode: IndexNode | undefined | null = null;

  constructor(
    private readonly tree: ScannedTree,
    private readonly record: number,
  ) {
    this.start = tree.entries[record + E_START] as number;
    this.end = tree.entries[record + E_END] as number;
  }

  get node(): IndexNode | undefined {
    if (this.madeNode === null) this.madeNode = this.tree.valueOf(this.record);
    return this.madeNode;
  }
}

// ---------------------------------------------------------------------------------------
// Values, decoded on demand as the `yaml` package's core schema reads them.

/** A scanned scalar's value when it is a string or a number; null for any other value. */
export function decodeScalar(text: string, node: ScalarNode): string | number | null {
  const start = node.start as number;
  const end = node.end as number;
  switch (node.style) {
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE':
      return decodeQuoted(text, start, end);
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return decodeBlock(text, node.block as BlockBody, node.style === 'BLOCK_FOLDED');
    default:
      return node.empty ? null : resolvePlain(text.slice(start, end));
  }
}

/** The string of a one-line quoted scalar spanning `[start, end)` (quotes included). */
function decodeQuoted(text: string, start: number, end: number): string {
  const body = text.slice(start + 1, end - 1);
  if (text.charCodeAt(start) === QUOTE_SINGLE) return body.includes("''") ? body.replaceAll("''", "'") : body;
  if (!body.includes('\\')) return body;
  let out = '';
  for (let k = 0; k < body.length; k++) {
    const ch = body[k] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++k] as string;
    const digits = HEX_ESCAPE_LENGTH[next];
    if (digits === undefined) out += ESCAPES[next] as string;
    else {
      out += String.fromCodePoint(parseInt(body.slice(k + 1, k + 1 + digits), 16));
      k += digits;
    }
  }
  return out;
}

function decodeBlock(text: string, body: BlockBody, folded: boolean): string {
  if (body.indent < 0) return '';
  const lines = text.slice(body.from, body.to).split('\n');
  const content = lines.map((line) => line.slice(body.indent)).join(folded ? ' ' : '\n');
  return body.chomp === 'strip' ? content : `${content}\n`;
}

/** Only these first characters can start a null, a boolean or a number. */
const MAYBE_NOT_STRING = /^[0-9+\-.~nNtTfF]/;
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar as the YAML 1.2 core schema reads it (the `yaml` package's default). */
function resolvePlain(source: string): string | number | null {
  if (!MAYBE_NOT_STRING.test(source)) return source;
  if (NULL.test(source) || BOOL.test(source)) return null;
  if (INT_OCT.test(source)) return parseInt(source.slice(2), 8);
  if (INT.test(source)) return parseInt(source, 10);
  if (INT_HEX.test(source)) return parseInt(source.slice(2), 16);
  if (FLOAT_NAN.test(source)) return source.slice(-3).toLowerCase() === 'nan' ? NaN : source.startsWith('-') ? -Infinity : Infinity;
  if (FLOAT_EXP.test(source) || FLOAT.test(source)) return parseFloat(source);
  return source;
}

