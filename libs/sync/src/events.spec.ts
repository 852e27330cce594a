import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from './events.js';

interface DoorEvents {
  opened: [who: string, at: number];
  closed: [];
}

describe(TypedEmitter.name, () => {
  it('calls the listeners of an event with its arguments, in the order they were added', () => {
    const doors = new TypedEmitter<DoorEvents>();
    const calls: string[] = [];
    doors.on('opened', (who, at) => calls.push(`first ${who} ${at}`));
    doors.on('opened', (who) => calls.push(`second ${who}`));
    doors.on('closed', () => calls.push('closed'));

    doors.emit('opened', 'ana', 3);

    expect(calls).toEqual(['first ana 3', 'second ana']);
  });

  it('stops calling a listener once it is unsubscribed; unsubscribing twice does nothing', () => {
    const doors = new TypedEmitter<DoorEvents>();
    const listener = vi.fn();
    const off = doors.on('closed', listener);
    doors.emit('closed');
    off();
    off();
    doors.emit('closed');

    expect(listener).toHaveBeenCalledTimes(1);
    expect(doors.listenerCount('closed')).toBe(0);
  });

  it('treats the same function added twice as two registrations', () => {
    const doors = new TypedEmitter<DoorEvents>();
    const listener = vi.fn();
    const offFirst = doors.on('closed', listener);
    doors.on('closed', listener);
    doors.emit('closed');
    offFirst();
    doors.emit('closed');

    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('keeps calling the other listeners when one throws, and hands the error to onListenerError', () => {
    const failures: [unknown, PropertyKey][] = [];
    const doors = new TypedEmitter<DoorEvents>({ onListenerError: (error, event) => failures.push([error, event]) });
    const after = vi.fn();
    const boom = new Error('boom');
    doors.on('opened', () => {
      throw boom;
    });
    doors.on('opened', after);

    expect(() => doors.emit('opened', 'ana', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith('ana', 1);
    expect(failures).toEqual([[boom, 'opened']]);
  });

  it('reports a throwing listener on the console by default', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const doors = new TypedEmitter<DoorEvents>();
      doors.on('closed', () => {
        throw new Error('boom');
      });
      doors.emit('closed');
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining("'closed'"), expect.any(Error));
    } finally {
      consoleError.mockRestore();
    }
  });

  it('survives an error handler that throws', () => {
    const doors = new TypedEmitter<DoorEvents>({
      onListenerError: () => {
        throw new Error('handler failed');
      },
    });
    const after = vi.fn();
    doors.on('closed', () => {
      throw new Error('boom');
    });
    doors.on('closed', after);

    expect(() => doors.emit('closed')).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('does not call listeners removed during an emit, and leaves listeners added during it for the next emit', () => {
    const doors = new TypedEmitter<DoorEvents>();
    const calls: string[] = [];
    let offSecond = (): void => undefined;
    doors.on('closed', () => {
      calls.push('first');
      offSecond();
      doors.on('closed', () => calls.push('added'));
    });
    offSecond = doors.on('closed', () => calls.push('second'));

    doors.emit('closed');
    expect(calls).toEqual(['first']);
    calls.length = 0;
    doors.emit('closed');
    expect(calls).toEqual(['first', 'added']);
  });

  it('runs a once listener a single time', () => {
    const doors = new TypedEmitter<DoorEvents>();
    const listener = vi.fn();
    doors.once('opened', listener);
    doors.emit('opened', 'ana', 1);
    doors.emit('opened', 'bo', 2);

    expect(listener).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledWith('ana', 1);
    expect(doors.listenerCount()).toBe(0);
  });

  it('counts listeners per event and in total, and removes them all on request', () => {
    const doors = new TypedEmitter<DoorEvents>();
    doors.on('opened', () => undefined);
    doors.on('opened', () => undefined);
    doors.on('closed', () => undefined);
    expect(doors.listenerCount('opened')).toBe(2);
    expect(doors.listenerCount()).toBe(3);

    doors.removeAllListeners('opened');
    expect(doors.listenerCount('opened')).toBe(0);
    expect(doors.listenerCount()).toBe(1);

    doors.removeAllListeners();
    expect(doors.listenerCount()).toBe(0);
  });

  it('does nothing when an event has no listeners', () => {
    const doors = new TypedEmitter<DoorEvents>();
    expect(() => doors.emit('closed')).not.toThrow();
  });

  it('accepts event maps written as type aliases too', () => {
    type Ticks = { tick: [count: number] };
    const ticks = new TypedEmitter<Ticks>();
    const seen: number[] = [];
    ticks.on('tick', (count) => seen.push(count));
    ticks.emit('tick', 7);
    expect(seen).toEqual([7]);
  });
});
