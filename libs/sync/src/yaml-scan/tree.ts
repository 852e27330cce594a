/**
 * The index's nodes over the scanner's tables, made when a question first reaches them.
 */
import type { BlockBody, IndexNode, ItemEntry, MapNode, PairEntry, ScalarNode, SeqNode } from '../yaml-nodes.js';
import { QUOTE_DOUBLE, QUOTE_SINGLE } from './characters.js';
import { keyName } from './line-parts.js';
import { E_END, E_KEY_END, E_NEXT, E_START, E_VALUE, ENTRY, K_BLOCK_FOLDED, K_BLOCK_LITERAL, K_EMPTY, K_FLOW_MAP, K_FLOW_SEQ, K_MAP, K_SEQ, N_COUNT, N_END, N_FIRST, N_KIND, N_START, NODE, styleOf } from './tables.js';
import { decodeQuoted } from './values.js';

export class ScannedTree {
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

export class ScannedMap implements MapNode {
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
