import { badRequest } from './status.js';

/** One requirement of a label selector (`app=web`, `tier in (a,b)`, `!canary`, ...). */
export type LabelRequirement =
  | { key: string; op: 'exists' | 'notExists' }
  | { key: string; op: 'in' | 'notIn'; values: readonly string[] };

/** One requirement of a field selector (`metadata.name=web`, `involvedObject.uid!=x`). */
export interface FieldRequirement {
  path: readonly string[];
  op: 'equals' | 'notEquals';
  value: string;
}

export type Labelled = { metadata?: { labels?: Record<string, string> } };

const KEY_END = new Set([' ', '\t', '=', '!', ',', '(', ')']);
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Parses the `labelSelector` query parameter; a malformed selector is a 400, as on a real server. */
export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  if (!text) return requirements;
  let at = 0;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why} in label selector "${text}"`);
  };
  const skipSpace = (): void => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
  };
  const readWord = (stop: Set<string>): string => {
    const start = at;
    while (at < text.length && !stop.has(text[at] ?? '')) at++;
    return text.slice(start, at).trim();
  };
  while (at < text.length) {
    skipSpace();
    let negated = false;
    if (text[at] === '!') {
      negated = true;
      at++;
      skipSpace();
    }
    const key = readWord(KEY_END);
    if (!key) fail('missing key');
    skipSpace();
    const rest = text.slice(at);
    if (negated) {
      requirements.push({ key, op: 'notExists' });
    } else if (at >= text.length || text[at] === ',') {
      requirements.push({ key, op: 'exists' });
    } else if (rest.startsWith('!=')) {
      at += 2;
      requirements.push({ key, op: 'notIn', values: [readWord(new Set([',']))] });
    } else if (rest.startsWith('==') || rest.startsWith('=')) {
      at += rest.startsWith('==') ? 2 : 1;
      requirements.push({ key, op: 'in', values: [readWord(new Set([',']))] });
    } else if (/^(in|notin)\s*\(/.test(rest)) {
      const op = rest.startsWith('notin') ? 'notIn' : 'in';
      at = text.indexOf('(', at) + 1;
      const close = text.indexOf(')', at);
      if (close < 0) fail('missing ")"');
      const values = text
        .slice(at, close)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      at = close + 1;
      requirements.push({ key, op, values });
    } else {
      fail(`unexpected "${rest}"`);
    }
    skipSpace();
    if (at < text.length) {
      if (text[at] !== ',') fail(`expected "," at "${text.slice(at)}"`);
      at++;
    }
  }
  for (const requirement of requirements) {
    if (!LABEL_KEY.test(requirement.key)) fail(`invalid label key "${requirement.key}"`);
    if ('values' in requirement) for (const value of requirement.values) if (!LABEL_VALUE.test(value)) fail(`invalid label value "${value}"`);
  }
  return requirements;
}

export function matchesLabels(object: Labelled, requirements: readonly LabelRequirement[]): boolean {
  const labels = object.metadata?.labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key] ?? '');
      case 'notIn':
        return !has || !r.values.includes(labels[r.key] ?? '');
    }
  });
}

/** Parses the `fieldSelector` query parameter: comma-separated `path=value`, `path==value`, `path!=value`. */
export function parseFieldSelector(text: string | null | undefined): FieldRequirement[] {
  if (!text) return [];
  return text.split(',').map((term) => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: "${term}" is not of the form path=value`);
    const [, path = '', op, value = ''] = match;
    return { path: path.split('.'), op: op === '!=' ? 'notEquals' : 'equals', value };
  });
}

/** Reads a dotted field as the API server compares it: a missing field is the empty string. */
function fieldText(object: unknown, path: readonly string[]): string {
  let current: unknown = object;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

export function matchesFields(object: unknown, requirements: readonly FieldRequirement[]): boolean {
  return requirements.every((r) => (fieldText(object, r.path) === r.value) === (r.op === 'equals'));
}
