import { describe, expect, it } from 'vitest';
import { resolveUser, userNameProblem } from './identity.js';

describe(resolveUser.name, () => {
  it('takes ?user= over the name this tab signed in with', () => {
    expect(resolveUser('?user=alice', 'bob')).toBe('alice');
  });

  it('falls back to the remembered name, then to nobody', () => {
    expect(resolveUser('', 'bob')).toBe('bob');
    expect(resolveUser('?other=1', null)).toBeNull();
  });

  it('ignores names the gateway would refuse', () => {
    expect(resolveUser('?user=' + encodeURIComponent('a b'), null)).toBeNull();
    expect(userNameProblem('-alice')).toMatch(/starting with a letter or digit/);
    expect(userNameProblem('alice@example.com')).toBeNull();
  });
});
