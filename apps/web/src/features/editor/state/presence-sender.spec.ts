import type { TandemClient } from '@tandem/sync/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_THROTTLE_MS, PresenceSender, type PresencePosition } from './presence-sender.js';

const ref = { context: 'sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'settings' };

function cursorAt(line: number): PresencePosition {
  return { field: 'data.color', selection: { startLine: line, startColumn: 3, endLine: line, endColumn: 3 } };
}

function fakeClient(state: TandemClient['state'] = 'connected') {
  const request = vi.fn(() => Promise.resolve({}));
  return { client: { state, request: request as unknown as TandemClient['request'] }, request };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe(PresenceSender.name, () => {
  it('sends the first move at once, then at most one update per interval, always the latest position', () => {
    const { client, request } = fakeClient();
    let line = 1;
    const sender = new PresenceSender(client, ref, () => cursorAt(line));
    for (line = 1; line <= 5; line++) sender.moved();
    expect(request).toHaveBeenCalledTimes(1);
    line = 9;
    vi.advanceTimersByTime(PRESENCE_THROTTLE_MS);
    expect(request).toHaveBeenCalledTimes(2);
    expect(request).toHaveBeenLastCalledWith('presence:update', { ref, field: 'data.color', selection: cursorAt(9).selection, idle: false });
    vi.advanceTimersByTime(PRESENCE_THROTTLE_MS * 3);
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('says idle on blur, and sends nothing while disconnected or before the object loaded', () => {
    const { client, request } = fakeClient();
    new PresenceSender(client, ref, () => ({ field: '', selection: null })).send(true);
    expect(request).toHaveBeenCalledWith('presence:update', { ref, field: null, selection: null, idle: true });

    const offline = fakeClient('reconnecting');
    new PresenceSender(offline.client, ref, () => cursorAt(1)).moved();
    expect(offline.request).not.toHaveBeenCalled();

    const loading = fakeClient();
    new PresenceSender(loading.client, ref, () => null).moved();
    expect(loading.request).not.toHaveBeenCalled();
  });
});
