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
import type { BlockBody, IndexNode } from '../yaml-nodes.js';
import { DASH, DOT, GREATER, HASH, OUTSIDE, PERCENT, PIPE, SPACE, UNSUPPORTED_CHARACTER } from './characters.js';
import { inlineValueEnd, inlineValueKind, keyEnd, lastKeyHash, keyName, lineRest } from './line-parts.js';
import { rereadEdit } from './reread.js';
import { E_END, E_KEY_END, E_NEXT, E_START, E_VALUE, ENTRY, K_BLOCK_FOLDED, K_BLOCK_LITERAL, K_EMPTY, K_MAP, K_SEQ, N_COUNT, N_END, N_FIRST, N_KIND, N_START, NODE } from './tables.js';
import { ScannedMap, ScannedTree } from './tree.js';

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
    const pair = this.entry(i, colon + 1, colon, lastKeyHash());
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
    const hash = lastKeyHash();
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
