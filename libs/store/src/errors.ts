/**
 * Argument checks shared by the store ports and both adapters. Kept apart from ports.ts and
 * history-ports.ts so that neither port module needs to import the other.
 */

/** Thrown for arguments no caller should pass (a non-positive TTL, an empty session id). */
export class StoreArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreArgumentError';
  }
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new StoreArgumentError(`ttlMs must be a positive integer of milliseconds, got ${ttlMs}`);
}

export function assertSessionId(sessionId: string): void {
  if (sessionId === '') throw new StoreArgumentError('sessionId must not be empty');
}
