/**
 * Three-way rebase: carry the changes of `mine` (base -> mine) over to `theirs` (a newer
 * version of the same base), field by field, and name every overlap as a conflict
 * instead of picking a side silently.
 *
 * Two changes overlap when their paths are equal or one is an ancestor of the other
 * (`overlaps` in field-path.ts): the same field set twice, a map removed on one side
 * while a key under it changed on the other, a list item removed while edited. The one
 * exception is an identical change (same path, op and new value), which both sides agree on.
 */
import type { FieldPath } from './field-path.js';
import { applyChanges, valueAtPath } from './apply.js';
import { diffFields, type DiffOptions, type FieldChange } from './diff.js';
import { jsonEqual, type JsonValue } from './json.js';

/** Overlapping changes of both sides, grouped under the outermost path they touch. */
export interface Conflict {
  /** The outermost path among the overlapping changes; every change listed is at or under it. */
  readonly path: FieldPath;
  readonly mine: readonly FieldChange[];
  readonly theirs: readonly FieldChange[];
}

export interface RebaseResult {
  /** `theirs` plus every non-conflicting change of mine; conflicting fields keep theirs' value. */
  readonly merged: JsonValue;
  /** Mine's changes that were applied on top of theirs (identical changes are already there and not listed). */
  readonly applied: readonly FieldChange[];
  readonly conflicts: readonly Conflict[];
  /** The rebased version; `resolve` takes conflicting fields from it when `'mine'` is picked. */
  readonly mine: JsonValue;
}

export type ConflictChoice = 'mine' | 'theirs';

export class UnresolvedConflictsError extends Error {
  constructor(readonly paths: readonly FieldPath[]) {
    super(`Pick 'mine' or 'theirs' for every conflict before saving; unresolved: ${paths.join(', ')}`);
    this.name = 'UnresolvedConflictsError';
  }
}

/** Every proper ancestor of a canonical path, as strings (a prefix followed by `.` or `[`), root included. */
function ancestorsOf(path: FieldPath): FieldPath[] {
  const out: FieldPath[] = path === '' ? [] : [''];
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 46 /* . */ || c === 91 /* [ */) out.push(path.slice(0, i));
  }
  return out;
}

function isIdentical(a: FieldChange, b: FieldChange): boolean {
  return a.path === b.path && a.op === b.op && jsonEqual(a.after, b.after);
}

/** Union-find over change indexes: overlapping changes end up in one conflict. */
class Groups {
  private readonly parent: number[];
  constructor(size: number) {
    this.parent = Array.from({ length: size }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root] as number;
    while (this.parent[i] !== root) {
      const next = this.parent[i] as number;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    this.parent[this.find(a)] = this.find(b);
  }
}

/**
 * Rebases mine's changes (base -> mine) onto theirs. Diff options (ignored bookkeeping
 * paths) apply to both sides; by default status and bookkeeping keep theirs' values.
 */
export function rebase(base: JsonValue, mine: JsonValue, theirs: JsonValue, options: DiffOptions = {}): RebaseResult {
  const mineChanges = diffFields(base, mine, options);
  const theirsChanges = diffFields(base, theirs, options);
  const m = mineChanges.length;

  const theirsAt = new Map<FieldPath, number>();
  const theirsUnder = new Map<FieldPath, number[]>();
  theirsChanges.forEach((change, j) => {
    theirsAt.set(change.path, j);
    for (const ancestor of ancestorsOf(change.path)) {
      const list = theirsUnder.get(ancestor);
      if (list) list.push(j);
      else theirsUnder.set(ancestor, [j]);
    }
  });

  const groups = new Groups(m + theirsChanges.length);
  const inConflict = new Set<number>();
  const identical = new Set<number>();
  mineChanges.forEach((change, i) => {
    const overlapping: number[] = [...(theirsUnder.get(change.path) ?? [])];
    const same = theirsAt.get(change.path);
    if (same !== undefined) {
      if (isIdentical(change, theirsChanges[same] as FieldChange)) identical.add(i);
      else overlapping.push(same);
    }
    for (const ancestor of ancestorsOf(change.path)) {
      const j = theirsAt.get(ancestor);
      if (j !== undefined) overlapping.push(j);
    }
    for (const j of overlapping) {
      groups.union(i, m + j);
      inConflict.add(i);
      inConflict.add(m + j);
    }
  });

  const byGroup = new Map<number, { path: FieldPath; mine: FieldChange[]; theirs: FieldChange[] }>();
  const collect = (index: number, change: FieldChange, side: 'mine' | 'theirs'): void => {
    if (!inConflict.has(index)) return;
    const root = groups.find(index);
    let conflict = byGroup.get(root);
    if (!conflict) {
      conflict = { path: change.path, mine: [], theirs: [] };
      byGroup.set(root, conflict);
    }
    // The shortest path in a group of overlapping paths is an ancestor of (or equal to) all of them.
    if (change.path.length < conflict.path.length) conflict.path = change.path;
    conflict[side].push(change);
  };
  mineChanges.forEach((change, i) => collect(i, change, 'mine'));
  theirsChanges.forEach((change, j) => collect(m + j, change, 'theirs'));

  const applied = mineChanges.filter((_, i) => !inConflict.has(i) && !identical.has(i));
  // Identical changes go in too: they change nothing, but tell list inserts which items both sides added.
  const merged = applyChanges(
    theirs,
    mineChanges.filter((_, i) => !inConflict.has(i)),
    { source: mine, role: 'mine' },
  );
  return { merged, applied, conflicts: [...byGroup.values()], mine };
}

/**
 * Finishes a rebase: for each conflict, keeps theirs' value or takes mine's value of the
 * whole conflicting field. Throws `UnresolvedConflictsError` when a conflict has no choice.
 */
export function resolve(result: RebaseResult, choices: Readonly<Record<FieldPath, ConflictChoice>>): JsonValue {
  const known = new Set(result.conflicts.map((c) => c.path));
  const unresolved = [...known].filter((path) => !Object.hasOwn(choices, path));
  if (unresolved.length > 0) throw new UnresolvedConflictsError(unresolved);
  const unknown = Object.keys(choices).filter((path) => !known.has(path));
  if (unknown.length > 0) throw new Error(`No conflict at ${unknown.join(', ')}; conflicts are at: ${[...known].join(', ') || '(none)'}`);

  const takeMine: FieldChange[] = [];
  for (const conflict of result.conflicts) {
    if (choices[conflict.path] !== 'mine') continue;
    const mineValue = valueAtPath(result.mine, conflict.path);
    const current = valueAtPath(result.merged, conflict.path);
    if (mineValue === undefined) takeMine.push({ path: conflict.path, op: 'remove', before: current });
    else if (current === undefined) takeMine.push({ path: conflict.path, op: 'add', after: mineValue });
    else takeMine.push({ path: conflict.path, op: 'replace', before: current, after: mineValue });
  }
  // Picked items take mine's position, before theirs' own inserts at that spot.
  return applyChanges(result.merged, takeMine, { source: result.mine, role: 'theirs' });
}
