/**
 * The layout of the scanner's two flat tables of integers (node records and entry records),
 * shared by the scanner that writes them, the re-reading of an edit that moves their offsets,
 * and the tree that reads them.
 */
import type { ScalarStyle } from '../yaml-nodes.js';

/**
 * The scanner records the document in two flat tables of integers instead of objects, so
 * that reading a 2,000-line text on every keystroke leaves almost nothing for the garbage
 * collector (whose pauses would otherwise dominate the worst keystrokes). Objects are made
 * only for the parts a question walks through (`ScannedTree`).
 *
 * A node record: kind, start, end, then for a collection its first entry and entry count,
 * for a block scalar the index of its body.
 */
export const NODE = 5;
export const N_KIND = 0;
export const N_START = 1;
export const N_END = 2;
export const N_FIRST = 3;
export const N_COUNT = 4;

export const K_MAP = 1;
export const K_SEQ = 2;
export const K_FLOW_MAP = 3;
export const K_FLOW_SEQ = 4;
export const K_PLAIN = 5;
export const K_QUOTE_SINGLE = 6;
export const K_QUOTE_DOUBLE = 7;
export const K_BLOCK_LITERAL = 8;
export const K_BLOCK_FOLDED = 9;
export const K_EMPTY = 10;
/** The `yaml` package's scalar type for a scalar kind (an empty value is a plain scalar there). */
export function styleOf(kind: number): ScalarStyle {
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
export const ENTRY = 5;
export const E_START = 0;
export const E_END = 1;
export const E_KEY_END = 2;
export const E_VALUE = 3;
export const E_NEXT = 4;
