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
