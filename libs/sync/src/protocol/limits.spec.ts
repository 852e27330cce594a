import { describe, expect, it } from 'vitest';
import { checkBounds, MAX_OBJECT_DEPTH } from './limits.js';
import { REQUEST_LIMITS } from './protocol.js';

/** An array nested `levels` deep, built without recursion (as JSON.parse would build it). */
function deepArray(levels: number): unknown {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

describe(checkBounds.name, () => {
  const limits = { maxDepth: 10, maxBytes: 1_000 };

  it('accepts plain JSON within its limits, including keys such as __proto__ and constructor', () => {
    expect(checkBounds(JSON.parse('{"__proto__":{"constructor":[1,"two",true,null]}}'), limits)).toBeUndefined();
    expect(checkBounds(deepArray(10), limits)).toBeUndefined();
  });

  it('refuses a value nested a million levels deep without exhausting the stack, naming the limit', () => {
    expect(checkBounds(deepArray(1_000_000), { maxDepth: MAX_OBJECT_DEPTH, maxBytes: 10_000_000 })).toEqual({
      kind: 'too-deep',
      message: expect.stringMatching(/^0\.0\.0\.0\.0\.0\.… is nested more than 100 levels deep$/),
      limit: MAX_OBJECT_DEPTH,
    });
    expect(checkBounds(deepArray(11), limits)).toMatchObject({ kind: 'too-deep', limit: 10 });
  });

  it('refuses a long string, a long array and a wide object as too large', () => {
    expect(checkBounds({ name: 'x'.repeat(2_000) }, limits)).toMatchObject({ kind: 'too-large', limit: 1_000 });
    expect(checkBounds(new Array<number>(1_000).fill(1), limits)).toMatchObject({ kind: 'too-large' });
    expect(checkBounds(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i])), limits)).toMatchObject({ kind: 'too-large' });
  });

  it('stops at the limit: a huge array costs no more than the limit allows', () => {
    const huge = new Array<number>(5_000_000).fill(0);
    const started = performance.now();
    expect(checkBounds(huge, limits)).toMatchObject({ kind: 'too-large' });
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses what JSON cannot carry: binary, functions, undefined, NaN, class instances', () => {
    expect(checkBounds({ data: new Uint8Array(4) }, limits)).toEqual({ kind: 'not-json', message: 'data is not a JSON value' });
    expect(checkBounds({ f: () => 1 }, limits)).toMatchObject({ kind: 'not-json' });
    expect(checkBounds(undefined, limits)).toMatchObject({ kind: 'not-json', message: 'the message is not a JSON value (undefined)' });
    expect(checkBounds({ n: Number.NaN }, limits)).toMatchObject({ kind: 'not-json', message: 'n is not a finite number' });
    expect(checkBounds({ d: new Date(0) }, limits)).toMatchObject({ kind: 'not-json' });
  });

  it('lets a save carry an object as deep as MAX_OBJECT_DEPTH and no deeper', () => {
    const object = (levels: number): unknown => {
      let value: Record<string, unknown> = {};
      for (let i = 1; i < levels; i++) value = { a: value };
      return value;
    };
    const save = (levels: number): unknown => ({ ref: {}, baseResourceVersion: '1', object: object(levels) });
    expect(checkBounds(save(MAX_OBJECT_DEPTH), REQUEST_LIMITS['resource:save'])).toBeUndefined();
    expect(checkBounds(save(MAX_OBJECT_DEPTH + 1), REQUEST_LIMITS['resource:save'])).toMatchObject({ kind: 'too-deep' });
  });
});
