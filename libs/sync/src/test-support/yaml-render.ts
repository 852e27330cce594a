/**
 * Renders objects as YAML in the styles people write by hand (block, flow, mixed; comments,
 * quoting, block scalars, `---`), for property tests of the YAML <-> path mapping and of
 * minimal text edits. A seed makes each rendering reproducible.
 */
import { Document, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { JsonValue } from '../json.js';

export type YamlStyle = 'block' | 'flow' | 'mixed';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Flow collections stay on one line only while short, so only short ones are made flow. */
const FLOW_MAX = 48;

export function renderYaml(value: JsonValue, style: YamlStyle, seed: number): string {
  const rand = prng(seed);
  const doc = new Document(value, { aliasDuplicateObjects: false });
  const flowRate = style === 'block' ? 0 : style === 'flow' ? 1 : 0.5;
  visit(doc, {
    Collection(_, node, path) {
      if (path.length <= 1) return;
      const json = JSON.stringify(node.toJSON());
      if (json.length <= FLOW_MAX && rand() < flowRate) node.flow = true;
    },
  });
  const inFlow = (path: readonly unknown[]): boolean => path.some((n) => (isMap(n) || isSeq(n)) && n.flow === true);
  visit(doc, {
    Pair(_, pair, path) {
      if (inFlow(path)) return;
      if (isScalar(pair.key) && rand() < 0.3) pair.key.commentBefore = ` about ${String(pair.key.value)}`;
      if (isScalar(pair.value) && !inFlow([...path, pair]) && rand() < 0.2) pair.value.comment = ' trailing note';
    },
    Scalar(_, node, path) {
      if (typeof node.value !== 'string' || inFlow(path)) return;
      const parent = path[path.length - 1];
      const isKey = isPair(parent) && parent.key === node;
      const r = rand();
      if (r < 0.15) node.type = 'QUOTE_DOUBLE';
      else if (r < 0.25) node.type = 'QUOTE_SINGLE';
      else if (r < 0.3 && !isKey && node.value !== '') node.type = 'BLOCK_LITERAL';
    },
  });
  const indentSeq = rand() < 0.5;
  const body = doc.toString({ indentSeq, lineWidth: 0 });
  return rand() < 0.3 ? `--- # generated\n${body}` : body;
}
