import type { FieldChange } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { boundedChanges, HISTORY_MAX_CHANGES, HISTORY_VALUE_MAX_BYTES } from './history.service.js';

describe(boundedChanges.name, () => {
  it('keeps small values, replaces a value over the cap by its size, and lists at most HISTORY_MAX_CHANGES changes', () => {
    const big = 'x'.repeat(HISTORY_VALUE_MAX_BYTES + 1);
    const changes: FieldChange[] = [
      { path: 'data.small', op: 'replace', before: 'a', after: 'b' },
      { path: 'data.big', op: 'add', after: big },
      ...Array.from({ length: HISTORY_MAX_CHANGES + 10 }, (_, i): FieldChange => ({ path: `data.k${i}`, op: 'add', after: String(i) })),
    ];
    const bounded = boundedChanges(changes, { values: true });
    expect(bounded[0]).toEqual(changes[0]);
    expect(bounded[1]).toEqual({ path: 'data.big', op: 'add', after: { omitted: true, bytes: big.length + 2 } });
    expect(bounded).toHaveLength(HISTORY_MAX_CHANGES + 1);
    expect(bounded.at(-1)).toEqual({ path: '', op: 'replace', after: { omittedChanges: 12 } });
  });

  it('keeps only paths and operations when asked for no values (dry runs)', () => {
    expect(boundedChanges([{ path: 'data.password', op: 'replace', before: 'old', after: 'new' }], { values: false })).toEqual([{ path: 'data.password', op: 'replace' }]);
  });
});
