import { HandshakeAuthSchema } from '@tandem/sync';

/** Where the development identity is remembered for the browser tab. */
export const USER_STORAGE_KEY = 'tandem.user';

/** Checks a user name the way the gateway's handshake will; returns the problem, or null when fine. */
export function userNameProblem(name: string): string | null {
  const result = HandshakeAuthSchema.shape.user.safeParse(name);
  return result.success ? null : (result.error.issues[0]?.message ?? 'not a valid user name');
}

/**
 * The development identity: `?user=alice` wins (so a link opens a session as someone), else the
 * name this browser tab signed in with earlier.
 */
export function resolveUser(search: string, stored: string | null): string | null {
  const fromQuery = new URLSearchParams(search).get('user')?.trim();
  if (fromQuery && userNameProblem(fromQuery) === null) return fromQuery;
  if (stored && userNameProblem(stored) === null) return stored;
  return null;
}
