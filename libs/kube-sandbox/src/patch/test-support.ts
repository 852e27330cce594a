import { PatchError } from './patch-error.js';

/** Runs `run` and returns the PatchError it throws; anything else (or nothing) fails the test. */
export function patchError(run: () => unknown): PatchError {
  try {
    run();
  } catch (error) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error('expected a PatchError');
}
