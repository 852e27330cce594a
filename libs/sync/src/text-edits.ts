/**
 * Minimal text edits between two versions of an object, applied to the YAML a user is
 * editing: a live rebase changes only the lines of the fields that changed upstream, so
 * the user's cursor, undo stack, comments and formatting everywhere else survive.
 *
 * The walk follows the text's index (`yaml-index.ts`) and the target object together: a
 * scalar's text is replaced in place (keeping its quoting), new keys go at the end of their
 * map with the map's indentation, removed keys lose their lines, keyed-list items are
 * inserted after their predecessor or deleted; anything else (flow collections that change
 * shape, atomic lists, type changes, reordered keyed lists) re-renders the smallest
 * enclosing node.
 */
import { Document, parse, visit } from 'yaml';
import type { ToStringOptions } from 'yaml';
import { fieldShape, itemShape, mergeKeyOf } from './k8s-schema.js';
import type { Shape } from './k8s-schema.js';
import { getKey, hasKey, isJsonObject, jsonEqual } from './json.js';
import type { JsonObject, JsonValue } from './json.js';
import { indexYaml, isKeyedSeq } from './yaml-index.js';
import type { IndexNode, ItemEntry, MapNode, PairEntry, ScalarNode, SeqNode, YamlIndex } from './yaml-nodes.js';
import type { TextRange } from './yaml-paths.js';

/** Replace `range` (offsets into the original text) with `text`. */
export interface TextEdit {
  readonly range: TextRange;
  readonly text: string;
}

export interface TextEditOptions {
  /**
   * Parse the edited text and fall back to re-rendering the whole document if it does not
   * represent `to`. Always on for texts with anchors or aliases (an edit can show elsewhere).
   */
  readonly verify?: boolean;
}

/** Where a node sits, which decides how it is re-rendered. */
type Slot =
  | { readonly kind: 'root' }
  | { readonly kind: 'pair'; readonly pair: PairEntry; readonly flow: boolean }
  | { readonly kind: 'item'; readonly entry: ItemEntry; readonly flow: boolean };

/** The text does not hold what `from` says; caught by `textEdits`, which then re-renders everything. */
class TextMismatch extends Error {}

interface Style {
  readonly indent: number;
  readonly indentSeq: boolean;
}

class EditPlanner {
  readonly edits: TextEdit[] = [];

  constructor(
    private readonly text: string,
    private readonly style: Style,
  ) {}

  replace(start: number, end: number, text: string): void {
    this.edits.push({ range: { start, end }, text });
  }

  column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** Offset just after the line holding `offset - 1` (a value's last character). */
  lineEndAfter(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === '\n') return offset;
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  onlyIndentBefore(offset: number): boolean {
    return this.text.slice(this.lineStart(offset), offset).trim() === '';
  }

  /** Inserts whole lines (each ending in a newline) at a line boundary. */
  insertLines(at: number, lines: string): void {
    if (at === this.text.length && this.text.length > 0 && !this.text.endsWith('\n')) this.replace(at, at, `\n${lines.replace(/\n$/, '')}`);
    else this.replace(at, at, lines);
  }

  reconcile(slot: Slot, node: IndexNode | undefined, from: JsonValue | undefined, to: JsonValue, shape: Shape | undefined): void {
    // Maps and lists are walked once (no deep comparison first): unchanged parts yield no edits.
    if (node?.kind === 'map' && isJsonObject(from) && isJsonObject(to)) {
      this.reconcileMap(slot, node, from, to, shape);
    } else if (node?.kind === 'seq' && Array.isArray(from) && Array.isArray(to)) {
      this.reconcileSeq(slot, node, from, to, shape);
    } else if (from !== undefined && jsonEqual(from, to)) {
      return;
    } else if (node?.kind === 'scalar' && (to === null || typeof to !== 'object')) {
      this.replaceScalar(slot, node, to);
    } else {
      this.rerender(slot, node, to);
    }
  }

  private reconcileMap(slot: Slot, map: MapNode, from: JsonObject, to: JsonObject, shape: Shape | undefined): void {
    const inFlow = map.flow || slotInFlow(slot);
    const present = new Set<string>();
    const removed: PairEntry[] = [];
    for (const pair of map.pairs) {
      const name = pair.name;
      if (name === undefined || present.has(name) || !hasKey(from, name)) throw new TextMismatch();
      present.add(name);
      if (!hasKey(to, name)) removed.push(pair);
    }
    const added = Object.keys(to).filter((k) => !present.has(k));
    if (present.size !== Object.keys(from).length) throw new TextMismatch();
    if (removed.length + added.length > 0) {
      // Flow maps change shape as a whole; a block map left with no pairs must become `{}`.
      const emptied = removed.length === map.pairs.length && added.length === 0;
      if (inFlow || emptied || !this.removablePairs(removed)) {
        this.rerender(slot, map, to);
        return;
      }
    }
    const removedSet = new Set(removed);
    for (const pair of map.pairs) {
      const name = pair.name as string;
      if (removedSet.has(pair)) {
        const pairAt = pair.start as number;
        const end = this.lineEndAfter(pair.end as number);
        const dash = this.dashBefore(pairAt);
        // The first pair of a list item shares the `- ` line: keep the dash on its own line
        // (`-` followed by the item's remaining pairs below), so those lines stay as they are.
        if (dash === undefined) this.replace(this.lineStart(pairAt), end, '');
        else this.replace(dash + 1, end, '\n');
      } else {
        this.reconcile({ kind: 'pair', pair, flow: inFlow }, pair.value, getKey(from, name), getKey(to, name) as JsonValue, fieldShape(shape, name));
      }
    }
    if (added.length > 0) {
      const first = map.pairs[0];
      const last = map.pairs[map.pairs.length - 1];
      if (!first || !last) throw new TextMismatch();
      const column = this.column(first.start as number);
      let lines = '';
      for (const k of added) lines += renderBlock({ [k]: getKey(to, k) as JsonValue }, column, this.style, true) + '\n';
      this.insertLines(this.lineEndAfter(last.end as number), lines);
    }
  }

  /** Pairs can be deleted line by line when each starts its own line or follows a list item's `- `. */
  private removablePairs(removed: readonly PairEntry[]): boolean {
    return removed.every((p) => {
      const start = p.start;
      return start !== undefined && p.end !== undefined && (this.onlyIndentBefore(start) || this.dashBefore(start) !== undefined);
    });
  }

  /** The offset of the `-` when only indentation and a list item's `- ` precede `offset` on its line. */
  private dashBefore(offset: number): number | undefined {
    const lineStart = this.lineStart(offset);
    const match = /^( *)- +$/.exec(this.text.slice(lineStart, offset));
    return match ? lineStart + (match[1] as string).length : undefined;
  }

  private reconcileSeq(slot: Slot, seq: SeqNode, from: JsonValue[], to: JsonValue[], shape: Shape | undefined): void {
    const inFlow = seq.flow || slotInFlow(slot);
    const mergeKey = mergeKeyOf(shape);
    const keyedText = mergeKey !== undefined && seq.items.length === from.length && isKeyedSeq(this.text, seq, mergeKey);
    if (keyedText && sameIdsInOrder(from, to, mergeKey)) {
      // Nothing added, removed or moved: each item's node is the text's item at the same position.
      const entryShape = itemShape(shape);
      for (let i = 0; i < to.length; i++) {
        const entry = seq.items[i] as ItemEntry;
        this.reconcile({ kind: 'item', entry, flow: inFlow }, entry.node, from[i], to[i] as JsonValue, entryShape);
      }
      return;
    }
    if (!keyedText || !keyedValues(to, mergeKey)) {
      if (!jsonEqual(from, to)) this.rerender(slot, seq, to);
      return;
    }
    const fromIds = new Map<string, number>();
    from.forEach((entry, i) => fromIds.set(idOf(entry, mergeKey), i));
    const toIds = to.map((entry) => idOf(entry, mergeKey));
    const toSet = new Set(toIds);
    const commonInText = [...fromIds.keys()].filter((id) => toSet.has(id));
    const commonInTarget = toIds.filter((id) => fromIds.has(id));
    const reordered = commonInText.some((id, i) => commonInTarget[i] !== id);
    const changesShape = commonInText.length !== fromIds.size || commonInTarget.length !== toIds.length;
    if (reordered || (changesShape && (inFlow || to.length === 0 || !this.itemsOnOwnLines(seq)))) {
      this.rerender(slot, seq, to);
      return;
    }
    const entryById = new Map<string, ItemEntry>();
    seq.items.forEach((entry, i) => {
      const fromEntry = from[i] as JsonValue;
      const id = idOf(fromEntry, mergeKey);
      entryById.set(id, entry);
      if (!toSet.has(id)) {
        const start = this.lineStart(entry.start as number);
        this.replace(start, this.lineEndAfter(entry.end as number), '');
      }
    });
    to.forEach((value, i) => {
      const id = toIds[i] as string;
      const at = fromIds.get(id);
      const entry = entryById.get(id);
      if (at !== undefined && entry) this.reconcile({ kind: 'item', entry, flow: inFlow }, entry.node, from[at], value, itemShape(shape));
    });
    if (commonInTarget.length === toIds.length) return;
    // New items go after their nearest predecessor that the text already has.
    const firstEntry = seq.items[0];
    if (firstEntry === undefined) throw new TextMismatch();
    const column = this.column(firstEntry.start as number);
    const pending = new Map<number, string>();
    let anchor = this.lineStart(firstEntry.start as number);
    to.forEach((entry, i) => {
      const id = toIds[i] as string;
      if (fromIds.has(id)) {
        anchor = this.lineEndAfter(entryById.get(id)?.end as number);
        return;
      }
      pending.set(anchor, (pending.get(anchor) ?? '') + renderBlock([entry], column, this.style, true) + '\n');
    });
    for (const [at, lines] of pending) this.insertLines(at, lines);
  }

  private itemsOnOwnLines(seq: SeqNode): boolean {
    return seq.items.every((entry) => entry.start !== undefined && entry.end !== undefined && this.onlyIndentBefore(entry.start));
  }

  private replaceScalar(slot: Slot, node: ScalarNode, to: JsonValue): void {
    const { start, end } = node;
    const rendered = start !== undefined && end !== undefined && !node.empty && !node.anchored ? renderScalarLike(node, to, slotInFlow(slot)) : undefined;
    if (rendered === undefined || start === undefined) this.rerender(slot, node, to);
    else this.replace(start, end as number, rendered);
  }

  /** Re-renders a node whole, in flow style inside flow collections, else as block YAML. */
  rerender(slot: Slot, node: IndexNode | undefined, to: JsonValue): void {
    const start = node?.start;
    const end = node?.end;
    const flowNode = (node?.kind === 'map' && node.flow && node.pairs.length > 0) || (node?.kind === 'seq' && node.flow && node.items.length > 0);
    if (start !== undefined && end !== undefined && (slotInFlow(slot) || flowNode)) {
      this.replace(start, end, renderFlow(to));
      return;
    }
    if (slot.kind === 'pair') {
      const { keyEnd, start: pairStartAt, end: valueEnd } = slot.pair;
      if (keyEnd === undefined || pairStartAt === undefined || valueEnd === undefined) throw new TextMismatch();
      const style = node?.kind === 'seq' && !node.flow ? { ...this.style, indentSeq: seqIsIndented(this.text, slot.pair, node) } : this.style;
      const block = renderBlock({ k: to }, this.column(pairStartAt), style, false);
      // Keep the key's own text; replace from its end (the `:`) to the end of the value.
      this.replace(keyEnd, valueEnd, block.slice(1));
      return;
    }
    if (slot.kind === 'item') {
      const itemAt = slot.entry.start;
      if (itemAt === undefined || end === undefined) throw new TextMismatch();
      this.replace(itemAt, end, renderBlock([to], this.column(itemAt), this.style, false));
      return;
    }
    throw new TextMismatch();
  }
}

function slotInFlow(slot: Slot): boolean {
  return slot.kind !== 'root' && slot.flow;
}

function idOf(entry: JsonValue | undefined, mergeKey: string): string {
  const v = isJsonObject(entry) ? getKey(entry, mergeKey) : undefined;
  return `${typeof v}:${String(v)}`;
}

/**
 * True when both lists hold the same unique string/number merge-key values in the same
 * order (the common case of a live rebase); the general path indexes ids instead.
 */
function sameIdsInOrder(from: readonly JsonValue[], to: readonly JsonValue[], mergeKey: string): boolean {
  const n = to.length;
  if (from.length !== n || n > 32) return false;
  for (let i = 0; i < n; i++) {
    const a = from[i];
    const b = to[i];
    const id = isJsonObject(b) ? getKey(b, mergeKey) : undefined;
    if ((typeof id !== 'string' && typeof id !== 'number') || !isJsonObject(a) || getKey(a, mergeKey) !== id) return false;
    for (let j = 0; j < i; j++) if (getKey(to[j] as JsonObject, mergeKey) === id) return false;
  }
  return true;
}

function keyedValues(list: readonly JsonValue[], mergeKey: string): boolean {
  const seen = new Set<string>();
  for (const entry of list) {
    const v = isJsonObject(entry) ? getKey(entry, mergeKey) : undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return false;
    const id = idOf(entry, mergeKey);
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

function seqIsIndented(text: string, pair: PairEntry, seq: SeqNode): boolean {
  const keyAt = pair.start;
  const dash = seq.items[0]?.start;
  if (keyAt === undefined || dash === undefined) return false;
  const col = (o: number): number => o - (text.lastIndexOf('\n', o - 1) + 1);
  return col(dash) > col(keyAt);
}

const BASE_OPTIONS = { lineWidth: 0, minContentWidth: 0 } as const;

/** Strings that YAML 1.1 readers (kubectl, client-go) take for booleans unless quoted. */
const YAML11_BOOLEAN = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** YAML for a value; strings that YAML 1.1 would read as booleans are quoted, for Kubernetes clients. */
function stringify(value: JsonValue, options: ToStringOptions): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && YAML11_BOOLEAN.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ ...options, directives: false });
}

/**
 * Block YAML for `value` (a one-key map or a one-item list) placed at `column`: the
 * first line is indented only when `indentFirst`, since a replacement keeps the text before it.
 */
function renderBlock(value: JsonValue, column: number, style: Style, indentFirst: boolean): string {
  const out = stringify(value, { ...BASE_OPTIONS, indent: style.indent, indentSeq: style.indentSeq }).replace(/\n$/, '');
  const pad = ' '.repeat(column);
  return out
    .split('\n')
    .map((line, i) => (line === '' || (i === 0 && !indentFirst) ? line : pad + line))
    .join('\n');
}

/** A scalar on one line that means the same in any context, or undefined when it cannot be. */
function renderPlainScalar(value: JsonValue, stringType?: 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'): string | undefined {
  const out = stringify(value, { ...BASE_OPTIONS, blockQuote: false, ...(stringType ? { defaultStringType: stringType } : {}) }).replace(/\n$/, '');
  return out.includes('\n') ? undefined : out;
}

function renderFlowScalar(value: JsonValue): string {
  const plain = typeof value === 'string' ? renderPlainScalar(value) : String(value);
  if (plain === undefined || (typeof value === 'string' && /^[^"'].*[,[\]{}]/.test(plain)) || /^[,[\]{}]/.test(plain)) return JSON.stringify(value);
  return plain;
}

/** Single-line flow YAML, safe inside any flow collection. */
function renderFlow(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isJsonObject(value)) return `{${Object.keys(value).map((k) => `${renderFlowScalar(k)}: ${renderFlow(value[k] as JsonValue)}`).join(', ')}}`;
  return renderFlowScalar(value);
}

/** A scalar's replacement text in the old scalar's quoting style, or undefined when it needs more room. */
function renderScalarLike(old: ScalarNode, value: JsonValue, inFlow: boolean): string | undefined {
  if (inFlow) return renderFlow(value);
  if (old.style === 'BLOCK_LITERAL' || old.style === 'BLOCK_FOLDED') return undefined;
  const quoted = typeof value === 'string' && (old.style === 'QUOTE_DOUBLE' || old.style === 'QUOTE_SINGLE') ? old.style : undefined;
  return renderPlainScalar(value, quoted);
}

function detectStyle(text: string, index: YamlIndex): Style {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const column = (o: number): number => o - (text.lastIndexOf('\n', o - 1) + 1);
  const visit = (node: IndexNode | undefined, depth: number): void => {
    if (depth > 8 || (indent !== undefined && indentSeq !== undefined) || node?.kind !== 'map' || node.flow) return;
    for (const pair of node.pairs) {
      const keyAt = pair.start;
      const value = pair.value;
      if (keyAt === undefined) continue;
      if (indent === undefined && value?.kind === 'map' && !value.flow) {
        const inner = value.pairs[0]?.start;
        if (inner !== undefined && column(inner) > column(keyAt)) indent = column(inner) - column(keyAt);
      }
      if (indentSeq === undefined && value?.kind === 'seq' && !value.flow) indentSeq = seqIsIndented(text, pair, value);
      if (value?.kind === 'seq') for (const entry of value.items) visit(entry.node, depth + 1);
      else visit(value, depth + 1);
    }
  };
  visit(index.root, 0);
  // Without a list to copy, follow kubectl's output (`- ` at the parent key's column).
  return { indent: indent ?? 2, indentSeq: indentSeq ?? false };
}

function rewriteAll(text: string, to: JsonValue): TextEdit[] {
  const body = stringify(to, { ...BASE_OPTIONS, indentSeq: false });
  const head = /^---[^\n]*\n/.exec(text)?.[0] ?? '';
  return [{ range: { start: 0, end: text.length }, text: head + body }];
}

/** Sorts edits and merges those that touch at one offset (inserts there come in the order they were planned). */
function normalize(edits: readonly TextEdit[]): TextEdit[] | undefined {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.range.start - b.e.range.start || a.i - b.i).map(({ e }) => e);
  const out: TextEdit[] = [];
  for (const edit of sorted) {
    const prev = out[out.length - 1];
    const zeroWidth = (e: TextEdit): boolean => e.range.start === e.range.end;
    if (prev && edit.range.start === prev.range.start && (zeroWidth(prev) || zeroWidth(edit))) {
      out[out.length - 1] = { range: { start: prev.range.start, end: Math.max(prev.range.end, edit.range.end) }, text: prev.text + edit.text };
    } else if (prev && edit.range.start < prev.range.end) {
      return undefined;
    } else out.push(edit);
  }
  return out;
}

/**
 * The minimal edits turning YAML `text` (which represents `from`) into text representing
 * `to`: sorted, non-overlapping, with offsets into `text`. Invalid YAML, or a text that does
 * not hold `from`, gets one edit re-rendering the whole document.
 */
export function textEdits(text: string, from: JsonValue, to: JsonValue, options: TextEditOptions = {}): TextEdit[] {
  const index = indexYaml(text);
  const contents = index.root;
  if (index.errors.length > 0 || contents?.kind !== 'map' || !isJsonObject(from) || !isJsonObject(to)) return jsonEqual(from, to) ? [] : rewriteAll(text, to);
  let edits: TextEdit[] | undefined;
  try {
    const planner = new EditPlanner(text, detectStyle(text, index));
    planner.reconcile({ kind: 'root' }, contents, from, to, index.shape);
    edits = normalize(planner.edits);
  } catch (error) {
    if (!(error instanceof TextMismatch)) throw error;
  }
  if (!edits) return rewriteAll(text, to);
  if (edits.length === 0) return edits;
  if (options.verify || index.hasAliases) {
    let result: unknown;
    try {
      result = parse(applyTextEdits(text, edits));
    } catch {
      return rewriteAll(text, to);
    }
    if (!jsonEqual(result as JsonValue, to)) return rewriteAll(text, to);
  }
  return edits;
}

/** Applies sorted, non-overlapping edits (offsets into `text`). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.range.start - b.range.start)) {
    if (edit.range.start < at) throw new RangeError(`Overlapping text edits at offset ${edit.range.start}`);
    out += text.slice(at, edit.range.start) + edit.text;
    at = edit.range.end;
  }
  return out + text.slice(at);
}
