/**
 * The characters the block scanner tells apart, and how it gives up: it throws `OUTSIDE`
 * for anything outside its subset, and the caller parses the text with `yaml` instead.
 */

/** Thrown inside the scanner for anything outside the subset; never escapes it. */
class OutsideSubset {}
export const OUTSIDE = new OutsideSubset();

export const SPACE = 32;
export const QUOTE_DOUBLE = 34;
export const HASH = 35;
export const QUOTE_SINGLE = 39;
export const DASH = 45;
export const DOT = 46;
export const COLON = 58;
export const BACKSLASH = 92;
export const LEFT_BRACKET = 91;
export const RIGHT_BRACKET = 93;
export const LEFT_BRACE = 123;
export const RIGHT_BRACE = 125;
export const PIPE = 124;
export const GREATER = 62;
export const PERCENT = 37;

/**
 * Characters that make the scanner give up wherever they are: tabs and carriage returns
 * (indentation and line-break rules it does not model), control characters, a byte-order
 * mark, and the Unicode spaces and line separators that the parser or `\s` treat specially.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const UNSUPPORTED_CHARACTER = /[\u0000-\u0009\u000b-\u001f\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/** Escapes of a double-quoted scalar that take no digits. */
export const ESCAPES: Readonly<Record<string, string>> = {
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
export const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
export const HEX = /^[0-9a-fA-F]+$/;
