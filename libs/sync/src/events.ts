/**
 * One typed in-process emitter for the browser and the gateway, in place of hand-made
 * listener sets: each event name maps to the tuple of arguments its listeners receive.
 *
 *   interface StoreEvents { change: [Change]; closed: [] }
 *   const events = new TypedEmitter<StoreEvents>();
 *   const off = events.on('change', (change) => ...);
 *   events.emit('change', change);
 *   off();
 */

export type Listener<Args extends unknown[]> = (...args: Args) => void;

/** Called with what a listener threw and the event it was listening to. */
export type ListenerErrorHandler<Events> = (error: unknown, event: keyof Events) => void;

export interface TypedEmitterOptions<Events> {
  /**
   * Where a throwing listener's error goes; the other listeners still run and `emit` does not
   * throw. Default: the console.
   */
  onListenerError?: ListenerErrorHandler<Events>;
}

/** Both the browser and Node have a console; the library's compiler settings declare neither. */
function reportToConsole(error: unknown, event: PropertyKey): void {
  const host = globalThis as { console?: { error(...data: unknown[]): void } };
  host.console?.error(`a listener for '${String(event)}' failed:`, error);
}

// `{ [E in keyof Events]: unknown[] }` rather than `Record<string, unknown[]>`, so that interfaces
// (which have no index signature) can describe the events too.
export class TypedEmitter<Events extends { [E in keyof Events]: unknown[] }> {
  /** Each registration is its own entry, so the same function added twice runs twice and is removed once per unsubscribe. */
  private readonly listeners = new Map<keyof Events, Set<{ readonly listener: Listener<Events[keyof Events]> }>>();
  private readonly onListenerError: ListenerErrorHandler<Events>;

  constructor(options: TypedEmitterOptions<Events> = {}) {
    this.onListenerError = options.onListenerError ?? reportToConsole;
  }

  /** Adds a listener; the returned function removes it (calling it again does nothing). */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let registrations = this.listeners.get(event);
    if (!registrations) {
      registrations = new Set();
      this.listeners.set(event, registrations);
    }
    // Stored under the union of all events' arguments: `emit` only ever calls it with `Events[E]`.
    const registration = { listener: listener as Listener<Events[keyof Events]> };
    registrations.add(registration);
    return () => {
      const current = this.listeners.get(event);
      if (!current?.delete(registration)) return;
      if (current.size === 0) this.listeners.delete(event);
    };
  }

  /** Adds a listener that removes itself after its first call. */
  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /**
   * Calls the event's listeners synchronously, in the order they were added. Listeners added
   * during the call wait for the next one; listeners removed during it are not called.
   */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const registrations = this.listeners.get(event);
    if (!registrations) return;
    for (const registration of [...registrations]) {
      if (!this.listeners.get(event)?.has(registration)) continue;
      try {
        registration.listener(...args);
      } catch (error) {
        this.reportListenerError(error, event);
      }
    }
  }

  /** How many listeners the event has, or all events together when none is named. */
  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.listeners.get(event)?.size ?? 0;
    let count = 0;
    for (const registrations of this.listeners.values()) count += registrations.size;
    return count;
  }

  /** Removes every listener of the event, or of every event when none is named. */
  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
  }

  private reportListenerError(error: unknown, event: keyof Events): void {
    try {
      this.onListenerError(error, event);
    } catch {
      // An error handler that throws must not break the emit that called it either.
    }
  }
}
