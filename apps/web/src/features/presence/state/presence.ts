import type { PresenceChanged, PresenceSession, PresenceSummary, ResourceRef } from '@tandem/sync';

/** Applies one `presence:changed` push to the sessions on a resource (one entry per session, newest first in joins). */
export function applyPresenceChange(sessions: readonly PresenceSession[], event: Pick<PresenceChanged, 'change' | 'session'>): PresenceSession[] {
  const others = sessions.filter((s) => s.sessionId !== event.session.sessionId);
  if (event.change === 'left') return others;
  const index = sessions.findIndex((s) => s.sessionId === event.session.sessionId);
  if (index < 0) return [...others, event.session];
  const next = [...sessions];
  next[index] = event.session;
  return next;
}

/** One avatar per user, however many tabs they have open; a user is active when any of their sessions is. */
export interface PresenceAvatar {
  readonly user: string;
  readonly color: string;
  readonly field?: string;
  readonly idle: boolean;
  readonly self: boolean;
}

export function avatarsOf(sessions: readonly PresenceSession[], ownSessionId: string | undefined): PresenceAvatar[] {
  const byUser = new Map<string, PresenceAvatar>();
  for (const session of sessions) {
    const self = session.sessionId === ownSessionId;
    const known = byUser.get(session.user);
    const field = session.field ?? known?.field;
    byUser.set(session.user, {
      user: session.user,
      color: session.color,
      ...(field !== undefined ? { field } : {}),
      idle: (known?.idle ?? true) && session.idle,
      self: self || (known?.self ?? false),
    });
  }
  return [...byUser.values()].sort((a, b) => (a.self === b.self ? a.user.localeCompare(b.user) : a.self ? -1 : 1));
}

/** Initials for an avatar: the first letter of the name (and of a second part, `bob.smith` -> `BS`). */
export function initialsOf(user: string): string {
  const parts = user.split(/[._@-]/).filter((p) => p.length > 0);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

/** The users who have one object open, from a context's summary. */
export function usersOn(summary: PresenceSummary | undefined, ref: Pick<ResourceRef, 'group' | 'version' | 'resource' | 'name' | 'namespace'>): readonly { user: string; color: string }[] {
  const entry = summary?.resources.find(
    (r) => r.ref.group === ref.group && r.ref.resource === ref.resource && r.ref.name === ref.name && (r.ref.namespace ?? '') === (ref.namespace ?? ''),
  );
  return entry?.users ?? [];
}
