/**
 * The overlap rule of `overlaps` (libs/sync) turned into lookups: a path's ancestors are
 * finitely many strings cut from the path itself, so a store finds the leases overlapping a
 * path by looking up those, plus an index of what lies below it, instead of testing every lease.
 * The Lua twin is `selfAndAncestors` in redis-scripts.ts.
 */
import type { FieldPath } from '@tandem/sync';

/**
 * Every path `isAncestor` holds for: the root '' and each prefix ending right before a '.'
 * or '[' (for a well-formed path these are its parent paths; the string rule is what counts).
 */
export function ancestorPaths(path: FieldPath): FieldPath[] {
  if (path === '') return [];
  const ancestors: FieldPath[] = [''];
  for (let at = 1; at < path.length; at++) {
    const c = path[at];
    if (c === '.' || c === '[') ancestors.push(path.slice(0, at));
  }
  return ancestors;
}
