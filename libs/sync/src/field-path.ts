/**
 * Field paths: stable, human-readable addresses of fields inside a Kubernetes object.
 *
 *   spec.replicas
 *   spec.template.spec.containers[name=web].image
 *   spec.template.spec.containers[name=web].ports[containerPort=8080].protocol
 *   metadata.annotations["example.com/owner"]
 *   spec.template.spec.containers[$order]          (the order of a keyed list)
 *
 * List items are addressed by their merge key (see `k8s-schema.ts`), never by index, so a
 * path keeps naming the same item when someone inserts or reorders items. Lists without
 * a merge key are one atomic field: a path ends at the list.
 *
 * The formatted string is canonical: `format(parse(s)) === s` for every string `format`
 * produces, and a path is an ancestor of another exactly when its string is a prefix of
 * the other's followed by `.` or `[`. Lease checks in Redis rely on that (a Lua script
 * compares strings, it cannot parse paths).
 */

/** A map key: `spec`, `metadata.annotations["example.com/owner"]`. */
export interface KeySegment {
  readonly type: 'key';
  readonly key: string;
}

/** An item of a keyed list: `containers[name=web]`, `ports[containerPort=8080]`. */
export interface ItemSegment {
  readonly type: 'item';
  readonly mergeKey: string;
  readonly value: string | number;
}

/** The order of the items of a keyed list: `containers[$order]`. Always the last segment. */
export interface OrderSegment {
  readonly type: 'order';
}

export type PathSegment = KeySegment | ItemSegment | OrderSegment;

/** The canonical string form of a path. The root of the object is the empty string. */
export type FieldPath = string;

export class FieldPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly position: number,
    reason: string,
  ) {
    super(`Invalid field path ${JSON.stringify(path)} at ${position}: ${reason}`);
    this.name = 'FieldPathSyntaxError';
  }
}

const BARE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
// `$order` is reserved inside brackets; a bare `$`-key is fine as a map key.
const BARE_VALUE = /^[A-Za-z_][A-Za-z0-9_./:-]*$/;
const NUMBER_VALUE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

export const key = (k: string): KeySegment => ({ type: 'key', key: k });
export const item = (mergeKey: string, value: string | number): ItemSegment => ({ type: 'item', mergeKey, value });
export const order = (): OrderSegment => ({ type: 'order' });

function formatSegment(segment: PathSegment, first: boolean): string {
  switch (segment.type) {
    case 'key':
      if (BARE_KEY.test(segment.key)) return first ? segment.key : `.${segment.key}`;
      return `[${JSON.stringify(segment.key)}]`;
    case 'item': {
      const { mergeKey, value } = segment;
      const k = BARE_KEY.test(mergeKey) ? mergeKey : JSON.stringify(mergeKey);
      let v: string;
      if (typeof value === 'number') v = String(value);
      else v = BARE_VALUE.test(value) && value !== 'true' && value !== 'false' && value !== 'null' ? value : JSON.stringify(value);
      return `[${k}=${v}]`;
    }
    case 'order':
      return '[$order]';
  }
}

/** Formats segments as the canonical path string. */
export function formatPath(segments: readonly PathSegment[]): FieldPath {
  return segments.map((s, i) => formatSegment(s, i === 0)).join('');
}

/** Parses a path string; throws `FieldPathSyntaxError` on malformed input. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (reason: string): never => {
    throw new FieldPathSyntaxError(text, i, reason);
  };
  const readQuoted = (): string => {
    // A JSON string literal starting at i.
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '"') break;
      else i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('invalid string escape');
    }
  };
  const readBare = (re: RegExp): string => {
    const start = i;
    while (i < text.length && re.test(text[i] as string)) i++;
    if (i === start) fail('expected a name');
    return text.slice(start, i);
  };
  const BARE_KEY_CHAR = /[A-Za-z0-9_$-]/;
  const BARE_VALUE_CHAR = /[A-Za-z0-9_./:+-]/;

  if (text === '') return segments;
  while (i < text.length) {
    const c = text[i];
    if (c === '[') {
      i++;
      if (text.startsWith('$order]', i)) {
        i += '$order]'.length;
        segments.push(order());
        if (i !== text.length) fail('[$order] must be the last segment');
        continue;
      }
      let mergeKey: string;
      if (text[i] === '"') {
        // `["key"]` is a map key; `["merge key"=value]` an item whose merge key needs quoting.
        const quoted = readQuoted();
        if (text[i] === ']') {
          i++;
          segments.push(key(quoted));
          continue;
        }
        mergeKey = quoted;
      } else mergeKey = readBare(BARE_KEY_CHAR);
      if (text[i] !== '=') fail("expected '=' after the merge key");
      i++;
      let value: string | number;
      if (text[i] === '"') value = readQuoted();
      else {
        const raw = readBare(BARE_VALUE_CHAR);
        value = NUMBER_VALUE.test(raw) ? Number(raw) : raw;
      }
      if (text[i] !== ']') fail("expected ']'");
      i++;
      segments.push(item(mergeKey, value));
      continue;
    }
    if (c === '.') {
      if (segments.length === 0) fail('a path cannot start with a dot');
      i++;
    } else if (segments.length > 0) {
      fail("expected '.' or '['");
    }
    segments.push(key(readBare(BARE_KEY_CHAR)));
  }
  return segments;
}

/** Normalizes a path string to its canonical form (throws on malformed input). */
export function canonicalPath(text: string): FieldPath {
  return formatPath(parsePath(text));
}

/** Appends segments to a path string. */
export function childPath(parent: FieldPath, ...segments: PathSegment[]): FieldPath {
  if (segments.length === 0) return parent;
  const tail = formatPath(segments);
  if (parent === '') return tail;
  return tail.startsWith('[') ? parent + tail : `${parent}.${tail}`;
}

/** True when `ancestor` is a proper ancestor of `descendant` (both canonical). */
export function isAncestor(ancestor: FieldPath, descendant: FieldPath): boolean {
  if (ancestor === descendant) return false;
  if (ancestor === '') return true;
  if (!descendant.startsWith(ancestor)) return false;
  const next = descendant[ancestor.length];
  return next === '.' || next === '[';
}

/** True for equal paths and for ancestor/descendant pairs: such fields cannot change independently. */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  return a === b || isAncestor(a, b) || isAncestor(b, a);
}

/** Namespace-style access: `FieldPath.parse`, `FieldPath.format`, `FieldPath.overlaps`. */
export const FieldPath = {
  parse: parsePath,
  format: formatPath,
  canonical: canonicalPath,
  child: childPath,
  isAncestor,
  overlaps,
} as const;
