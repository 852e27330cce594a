import {
  formatPath,
  isJsonObject,
  jsonEqual,
  leaseProblem,
  offsetToPosition,
  overlaps,
  parsePath,
  pathAt,
  rangeOf,
  rebase,
  textEdits,
  valueAtPath,
  type FieldPath,
  type JsonObject,
  type Lease,
  type RebaseResult,
  type TextEdit,
} from '@tandem/sync';
import { parseDocument } from 'yaml';

/** The editor text read as an object, or why it cannot be. */
export type ParsedText = { readonly ok: true; readonly object: JsonObject } | { readonly ok: false; readonly problem: string };

/** Parses the editor's YAML; a document that is not a map is a problem too, since a save needs an object. */
export function parseEditorText(text: string): ParsedText {
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first !== undefined) return { ok: false, problem: `The YAML does not parse: ${first.message.split('\n')[0] ?? first.message}` };
  const value: unknown = doc.toJS();
  if (!isJsonObject(value)) return { ok: false, problem: 'The YAML must describe one object (a map of fields)' };
  return { ok: true, object: value };
}

/**
 * The field a user's edit at `offset` needs a lease on: the innermost existing field there, or for
 * a key that the server's version does not have yet (a new label being typed) the nearest map that
 * does exist. Undefined for edits outside any field, or at the document root (never leased whole).
 */
export function leasePathForEdit(base: JsonObject, text: string, offset: number): FieldPath | undefined {
  const at = pathAt(text, offset);
  if (at === undefined || at === '') return undefined;
  const full = parsePath(at);
  let segments = full;
  while (segments.length > 0 && valueAtPath(base, formatPath(segments)) === undefined) segments = segments.slice(0, -1);
  // A whole top-level section (`metadata`, `spec`) is too much to lock for one new key: lease the key itself.
  if (segments.length < 2 && full.length >= 2) segments = full.slice(0, 2);
  if (segments.length === 0) return undefined;
  const path = formatPath(segments);
  // The gateway refuses leases on whole sections and on status (controllers write it, saves never do).
  return leaseProblem(path) === undefined ? path : undefined;
}

/** Whole lines from the first to the last line of a field, 1-based; locks cover lines so indentation is guarded too. */
export interface LineSpan {
  readonly startLine: number;
  readonly endLine: number;
}

export function lineSpanOf(text: string, path: FieldPath): LineSpan | undefined {
  const range = rangeOf(text, path);
  if (range === undefined) return undefined;
  return { startLine: offsetToPosition(text, range.start).lineNumber, endLine: offsetToPosition(text, range.end).lineNumber };
}

/** A field someone else leases, with the lines it spans in the current text. */
export interface LockedField {
  readonly lease: Lease;
  readonly span: LineSpan;
}

/** The leases of other sessions, placed on the text (leases of fields the text does not have are left out). */
export function lockedFields(text: string, leases: readonly Lease[], ownSessionId: string | undefined): LockedField[] {
  const out: LockedField[] = [];
  for (const lease of leases) {
    if (lease.sessionId === ownSessionId) continue;
    const span = lineSpanOf(text, lease.path);
    if (span !== undefined) out.push({ lease, span });
  }
  return out;
}

/** The locked field covering any of `lines`, if one does. */
export function lockAtLines(locks: readonly LockedField[], fromLine: number, toLine: number): LockedField | undefined {
  return locks.find((lock) => lock.span.startLine <= toLine && fromLine <= lock.span.endLine);
}

/** What to do with the editor text when the server's version moves from `base` to `theirs`. */
export type UpstreamPlan =
  /** The text cannot be read as an object: nothing can be rebased until it parses. */
  | { readonly kind: 'unparseable'; readonly problem: string }
  /** Apply `edits` to the text; `base` becomes theirs. `kept` lists the user's changes carried over. */
  | { readonly kind: 'rebased'; readonly edits: readonly TextEdit[]; readonly kept: readonly FieldPath[] }
  /** Both sides changed overlapping fields: the user picks per conflict. */
  | { readonly kind: 'conflict'; readonly result: RebaseResult; readonly mine: JsonObject };

/**
 * Plans a live rebase (DESIGN rule 6): the user's changes (base -> text) carried onto theirs,
 * as minimal text edits so the cursor, the undo stack and comments survive.
 */
export function planUpstream(base: JsonObject, text: string, theirs: JsonObject): UpstreamPlan {
  const parsed = parseEditorText(text);
  if (!parsed.ok) return { kind: 'unparseable', problem: parsed.problem };
  const result = rebase(base, parsed.object, theirs);
  if (result.conflicts.length > 0) return { kind: 'conflict', result, mine: parsed.object };
  return { kind: 'rebased', edits: textEdits(text, parsed.object, result.merged, { verify: true }), kept: result.applied.map((c) => c.path) };
}

/** Why Save is off, in words a user can act on; null when saving is possible. */
export function saveBlockReason(state: {
  readonly readOnly: boolean;
  readonly connected: boolean;
  readonly conflicts: number;
  readonly behind: boolean;
  readonly parsed: ParsedText;
  readonly base: JsonObject | null;
  readonly saving: boolean;
}): string | null {
  if (state.readOnly) return 'Read-only: this context was removed from the kubeconfig';
  if (state.base === null) return 'The object is not loaded yet';
  if (!state.connected) return 'Not connected to the gateway';
  if (state.saving) return 'Saving…';
  if (state.conflicts > 0) return `Resolve ${state.conflicts} conflict${state.conflicts === 1 ? '' : 's'} first`;
  if (!state.parsed.ok) return state.parsed.problem;
  if (state.behind) return 'The object changed upstream: your edits are being rebased';
  if (jsonEqual(state.parsed.object, state.base)) return 'Nothing changed';
  return null;
}

/** True when any lease in `leases` covers `path` or a field inside it. */
export function coveredBy(leases: readonly Pick<Lease, 'path'>[], path: FieldPath): boolean {
  return leases.some((lease) => overlaps(lease.path, path));
}
