import { describe, expect, it } from 'vitest';
import { presenceColor } from './presence-color.js';

describe(presenceColor.name, () => {
  it('gives a user the same colour every time, as a CSS hex colour', () => {
    expect(presenceColor('alice')).toBe(presenceColor('alice'));
    expect(presenceColor('alice')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('tells apart users with similar names', () => {
    const colors = new Set(['alice', 'alice2', 'bob', 'bob@example.com', 'carol', 'dave'].map(presenceColor));
    expect(colors.size).toBe(6);
  });

  it('keeps colours dark enough for white text', () => {
    for (const user of ['a', 'zz', 'yellow', 'user-42']) {
      const hex = presenceColor(user);
      const [r, g, b] = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
      const luminance = (0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)) / 255;
      expect(luminance).toBeLessThan(0.6);
    }
  });
});
