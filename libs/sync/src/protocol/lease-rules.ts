/**
 * Which fields a lease may cover. A lease is a promise to one person that nobody else types in a
 * field for a few seconds; a whole top-level section would lock everyone else out of the object,
 * and `status` is written by the cluster's controllers, never by a save (the API server ignores
 * status on the main resource), so a lease there protects nothing.
 */
import type { FieldPath } from '../field-path.js';

/** Top-level sections too broad to lease whole (the empty path is the whole object). */
export const UNLEASABLE_SECTIONS: readonly FieldPath[] = ['', 'metadata', 'spec', 'status'];

/** Whether `path` (canonical) is `status` or a field inside it. */
export function isStatusPath(path: FieldPath): boolean {
  return path === 'status' || path.startsWith('status.') || path.startsWith('status[');
}

/** Why a lease on `path` (canonical) is refused, or undefined when it may be leased. */
export function leaseProblem(path: FieldPath): string | undefined {
  if (isStatusPath(path)) return `${path} is status, which the cluster's controllers write; a save never changes it, so it cannot be leased`;
  if (UNLEASABLE_SECTIONS.includes(path)) return `${path === '' ? 'the whole object' : `the whole ${path} section`} cannot be leased; lease a field inside it`;
  return undefined;
}
