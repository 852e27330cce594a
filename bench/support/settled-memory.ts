/** Memory of the current process once garbage collection has settled (needs `node --expose-gc`). */
export interface SettledMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function settledMemory(): Promise<SettledMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Two full collections a moment apart: the first one frees objects whose finalizers the second one reclaims.
  for (let i = 0; i < 2; i++) {
    gc?.();
    await pause(200);
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
