/**
 * The time the in-process store stamps leases, presence and history with. The Redis store
 * has no clock of its own: its scripts read the Redis server's `TIME`, so every gateway
 * agrees on expiry whatever its own clock says.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: tests step past an expiry instead of sleeping through it. */
export class ManualClock implements Clock {
  constructor(private time: number = Date.UTC(2024, 0, 1)) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }

  /** Moves the clock forward to `at`; never backward. */
  advanceTo(at: number): number {
    this.time = Math.max(this.time, at);
    return this.time;
  }
}
