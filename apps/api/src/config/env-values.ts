import { z } from 'zod';

/** An environment variable holding a whole number of at least 1, `fallback` when unset. */
export const count = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1'));
