import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `condition` holds. The timeout only bounds a hung scenario; it is not a
 * speed expectation, so it is generous and the failure names what never happened.
 */
export async function waitUntil(condition: () => boolean, description: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting until ${description}`);
    }
    await sleep(20);
  }
}

/**
 * Polls an asynchronous probe (a request to a server, say) until it yields a value other than
 * `undefined` or `false`, and resolves with it. As with `waitUntil`, the timeout only bounds a hung
 * scenario and the failure names what never happened.
 */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, description: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${description}`);
    await sleep(50);
  }
}
