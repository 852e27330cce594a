/**
 * Bounded validation (DESIGN rule 9): before any schema looks at a message from outside, one
 * iterative walk checks that it is plain JSON of bounded size and nesting depth. zod's recursive
 * schemas (and diff, rebase and redaction after them) then only ever see values whose depth is
 * bounded, so no input can exhaust the stack; the walk itself keeps an explicit stack and stops at
 * the first limit it crosses, so its cost is bounded by the limit, not by the input.
 *
 * Browser-safe: no Node APIs.
 */

/** The most a value may be nested (objects and arrays) below the object of a save. */
export const MAX_OBJECT_DEPTH = 100;

/** Limits of one value. */
export interface ValueLimits {
  /** Most nesting levels of objects and arrays; the value itself, if a container, is level 1. */
  readonly maxDepth: number;
  /** Most bytes of the value's JSON text (measured in UTF-16 code units, an underestimate of UTF-8 by at most 3x for non-ASCII). */
  readonly maxBytes: number;
}

/** Why a value was refused, in words a client can act on. */
export type BoundsProblem =
  | { readonly kind: 'too-deep'; readonly message: string; readonly limit: number }
  | { readonly kind: 'too-large'; readonly message: string; readonly limit: number }
  | { readonly kind: 'not-json'; readonly message: string };

/** A plain object as JSON.parse builds it (prototype Object.prototype, or none). */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly key: string | number | undefined;
  /** The frame of the container holding this value (kept only to name where a problem is). */
  readonly parent: Frame | undefined;
}

/** A readable location for messages, e.g. `object.spec.template`, cut short when deep. */
function describeAt(frame: Frame): string {
  const path: (string | number)[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) path.push(at.key);
  path.reverse();
  const shown = path.length > 6 ? [...path.slice(0, 6), '…'] : path;
  return shown.length === 0 ? 'the message' : shown.map(String).join('.');
}

/**
 * Checks that `value` is JSON (strings, finite numbers, booleans, null, arrays and plain objects)
 * within `limits`, without recursion. Returns the first problem found, or undefined.
 */
export function checkBounds(value: unknown, limits: ValueLimits): BoundsProblem | undefined {
  const stack: Frame[] = [{ value, depth: 0, key: undefined, parent: undefined }];
  let bytes = 0;
  const tooLarge = (): BoundsProblem => ({ kind: 'too-large', message: `larger than ${limits.maxBytes} bytes of JSON`, limit: limits.maxBytes });
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const { value: current, depth } = frame;
    switch (typeof current) {
      case 'string':
        bytes += current.length + 2;
        break;
      case 'number':
        if (!Number.isFinite(current)) return { kind: 'not-json', message: `${describeAt(frame)} is not a finite number` };
        bytes += 8;
        break;
      case 'boolean':
        bytes += 5;
        break;
      case 'object': {
        if (current === null) {
          bytes += 4;
          break;
        }
        if (depth + 1 > limits.maxDepth) return { kind: 'too-deep', message: `${describeAt(frame)} is nested more than ${limits.maxDepth} levels deep`, limit: limits.maxDepth };
        if (Array.isArray(current)) {
          bytes += 2 + current.length;
          if (bytes > limits.maxBytes) return tooLarge();
          for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, depth: depth + 1, key: i, parent: frame });
          break;
        }
        // Binary attachments (Buffer, ArrayBuffer), dates and class instances are not JSON.
        if (!isPlainObject(current)) return { kind: 'not-json', message: `${describeAt(frame)} is not a JSON value` };
        const keys = Object.keys(current);
        bytes += 2;
        for (const key of keys) {
          bytes += key.length + 4;
          if (bytes > limits.maxBytes) return tooLarge();
          stack.push({ value: (current as Record<string, unknown>)[key], depth: depth + 1, key, parent: frame });
        }
        break;
      }
      default:
        return { kind: 'not-json', message: `${describeAt(frame)} is not a JSON value (${typeof current})` };
    }
    if (bytes > limits.maxBytes) return tooLarge();
  }
  return undefined;
}
