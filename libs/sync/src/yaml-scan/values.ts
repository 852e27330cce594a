/**
 * Values of scanned scalars, decoded on demand as the `yaml` package's core schema reads them.
 */
import type { BlockBody, ScalarNode } from '../yaml-nodes.js';
import { ESCAPES, HEX_ESCAPE_LENGTH, QUOTE_SINGLE } from './characters.js';

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
export function decodeQuoted(text: string, start: number, end: number): string {
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
