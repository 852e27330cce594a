/** One benchmark section: a table of figures with the targets they are measured against. */
export interface BenchRow {
  readonly name: string;
  /** Measured figure, already formatted with its unit (e.g. "0.84 ms"). */
  readonly value: string;
  /** The target, if any (e.g. "p99 < 5 ms"). */
  readonly target?: string;
  /** Whether the measured figure meets the target; undefined when there is no target. */
  readonly pass?: boolean;
}

export interface BenchSection {
  readonly title: string;
  /** How the figures were measured: input sizes, iterations, what is timed. */
  readonly method: string;
  readonly rows: readonly BenchRow[];
}

/** Latency percentiles of a set of samples in milliseconds. */
export function percentiles(samplesMs: readonly number[]): { p50: number; p99: number; max: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN, mean };
}

export const ms = (x: number): string => `${x < 1 ? x.toFixed(3) : x.toFixed(2)} ms`;
