/**
 * The index's node types: the structure of a YAML text as field-path questions see it. Both
 * readers (the block scanner and the `yaml` package's AST) build these, and `pathAt`,
 * `rangeOf` and `textEdits` read them.
 */
import type { ObjectShape } from './k8s-schema.js';

export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** Where a node is: its first character, and the end of its own text (undefined where the parser has none). */
interface Placed {
  readonly start: number | undefined;
  readonly end: number | undefined;
  /** The node carries an anchor (`&name`): an edit of it can show elsewhere. */
  readonly anchored: boolean;
}

export interface MapNode extends Placed {
  readonly kind: 'map';
  readonly flow: boolean;
  readonly pairs: readonly PairEntry[];
  /** The first pair whose key is `name`. */
  pairNamed(name: string): PairEntry | undefined;
}

/** A map entry: from its key to the end of its value (or just after `key:` when it has none). */
export interface PairEntry {
  /** The key as a field path names it; undefined for complex keys, which no path can name. */
  readonly name: string | undefined;
  readonly start: number | undefined;
  readonly keyEnd: number | undefined;
  readonly end: number | undefined;
  readonly value: IndexNode | undefined;
}

export interface SeqNode extends Placed {
  readonly kind: 'seq';
  readonly flow: boolean;
  readonly items: readonly ItemEntry[];
}

/** A list item: from its `-` (in a block list) to the end of its value. */
export interface ItemEntry {
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly node: IndexNode | undefined;
}

/** The lines of a block scalar's body, for decoding its value on demand. */
export interface BlockBody {
  /** First character after the header line (the body's first line, possibly empty). */
  readonly from: number;
  /** End of the body's last non-empty line (before its line break). */
  readonly to: number;
  /** Indentation of the body; -1 when it has no content line. */
  readonly indent: number;
  readonly chomp: 'clip' | 'strip';
}

export interface ScalarNode extends Placed {
  readonly kind: 'scalar';
  readonly style: ScalarStyle | undefined;
  /** No text at all (`key:` without a value). */
  readonly empty: boolean;
  /**
   * The value when it is a string or a number, null for any other value. Set by the `yaml`
   * reader; the scanner leaves it out and `scalarValue` decodes the text when asked.
   */
  readonly value?: string | number | null;
  readonly block?: BlockBody;
}

export interface AliasNode extends Placed {
  readonly kind: 'alias';
}

/** Anything else the parser produced (e.g. a pair where a list item should be). */
export interface OtherNode extends Placed {
  readonly kind: 'other';
}

export type IndexNode = MapNode | SeqNode | ScalarNode | AliasNode | OtherNode;

/** A YAML text read once, with what every question about it needs. */
export interface YamlIndex {
  readonly text: string;
  /** The document's top node; undefined for an empty document. */
  readonly root: IndexNode | undefined;
  /** The shape of the document's object, from its own apiVersion/kind. */
  readonly shape: ObjectShape;
  /** True when the text uses anchors or aliases (an edit at one place may show at another). */
  readonly hasAliases: boolean;
  /** Parse errors; the structure is still the parser's best effort for the valid part. */
  readonly errors: readonly string[];
  /** Which reader built it: the block scanner, or the `yaml` package. */
  readonly reader: 'scan' | 'yaml';
}
