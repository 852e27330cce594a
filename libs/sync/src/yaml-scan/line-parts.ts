/**
 * Reading one line's parts (a key, a value, where each ends); shared by the scanner and by
 * the re-reading of an edited line.
 */
import { BACKSLASH, COLON, DASH, ESCAPES, HASH, HEX, HEX_ESCAPE_LENGTH, LEFT_BRACE, LEFT_BRACKET, OUTSIDE, QUOTE_DOUBLE, QUOTE_SINGLE, RIGHT_BRACE, RIGHT_BRACKET, SPACE } from './characters.js';
import { K_FLOW_MAP, K_FLOW_SEQ, K_PLAIN, K_QUOTE_DOUBLE, K_QUOTE_SINGLE } from './tables.js';
import { decodeQuoted } from './values.js';

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

/** Hash of the key that `keyEnd` read last (scans are synchronous, so one variable serves). */
let keyHash = 0;

/** The hash `keyEnd` left for the key it read last. */
export function lastKeyHash(): number {
  return keyHash;
}

/**
 * The offset of the `:` after a key starting at `i` (a plain key of safe characters, or a
 * one-line quoted key), followed by a space or the line end; -1 when there is no such key.
 * Leaves the key's hash in `keyHash`. Throws for keys the scanner leaves to `yaml`.
 */
export function keyEnd(text: string, i: number, lineEnd: number): number {
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
export function lineRest(text: string, k: number, lineEnd: number): void {
  let j = k;
  while (j < lineEnd && text.charCodeAt(j) === SPACE) j++;
  if (j < lineEnd && (text.charCodeAt(j) !== HASH || j === k)) throw OUTSIDE;
}

/** The end of a value that is complete on its line (anything but a block scalar) starting at `j`. */
export function inlineValueEnd(text: string, j: number, lineEnd: number): number {
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

export function inlineValueKind(first: number): number {
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
export function keyName(text: string, start: number, keyEnd: number): string {
  const c = text.charCodeAt(start);
  return c === QUOTE_DOUBLE || c === QUOTE_SINGLE ? decodeQuoted(text, start, keyEnd) : text.slice(start, keyEnd);
}
