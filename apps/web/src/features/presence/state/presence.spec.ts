import type { PresenceSession } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { applyPresenceChange, avatarsOf, initialsOf } from './presence.js';

const session = (sessionId: string, user: string, extra: Partial<PresenceSession> = {}): PresenceSession => ({ sessionId, user, color: '#123456', idle: false, updatedAt: 1, ...extra });

describe(applyPresenceChange.name, () => {
  it('adds, updates and removes sessions', () => {
    let sessions = applyPresenceChange([], { change: 'joined', session: session('a', 'alice') });
    sessions = applyPresenceChange(sessions, { change: 'joined', session: session('b', 'bob') });
    sessions = applyPresenceChange(sessions, { change: 'updated', session: session('b', 'bob', { field: 'spec.replicas' }) });
    expect(sessions.map((s) => `${s.user}:${s.field ?? ''}`)).toEqual(['alice:', 'bob:spec.replicas']);
    expect(applyPresenceChange(sessions, { change: 'left', session: session('a', 'alice') }).map((s) => s.user)).toEqual(['bob']);
  });
});

describe(avatarsOf.name, () => {
  it('shows one avatar per user, yourself first', () => {
    const avatars = avatarsOf([session('b', 'bob', { field: 'spec.replicas' }), session('a', 'alice'), session('a2', 'alice', { idle: true })], 'a');
    expect(avatars.map((a) => [a.user, a.self, a.field ?? null, a.idle])).toEqual([
      ['alice', true, null, false],
      ['bob', false, 'spec.replicas', false],
    ]);
  });

  it('uses initials of the name parts', () => {
    expect(initialsOf('bob.smith')).toBe('BS');
    expect(initialsOf('alice')).toBe('A');
  });
});
