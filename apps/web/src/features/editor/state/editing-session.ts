import {
  isJsonObject,
  jsonEqual,
  LeaseBook,
  resolve,
  textEdits,
  UnresolvedConflictsError,
  type ConflictChoice,
  type FieldPath,
  type JsonObject,
  type JsonValue,
  type Lease,
  type LockChanged,
  type PresenceSession,
  type RebaseResult,
  type ResourceChanged,
  type SaveResult,
  type StaleDetails,
  type TextEdit,
} from '@tandem/sync';
import { stringify } from 'yaml';
import type { ObjectEditResult, OpenObject } from '../../../slots/editor-panel.js';
import { editorViewOf } from './editor-view.js';
import { leasePathForEdit, lineSpanOf, lockAtLines, lockedFields, parseEditorText, planUpstream, type LockedField, type ParsedText } from './pair-editing.js';

/** How long the "edit refused" explanation stays up. */
export const REFUSED_VISIBLE_MS = 6_000;
/** How long typing must pause before the text is parsed again for the save button. */
export const PARSE_AFTER_TYPING_MS = 150;
/** Why the status lines do not take edits: the API server ignores status in a save. */
export const STATUS_READ_ONLY = "status is written by the cluster's controllers; a save never changes it, so it is read-only here";
const CONTEXT_REMOVED_READ_ONLY = 'This context was removed from the kubeconfig: the text is kept for copying but cannot be saved.';

/** A server version of the object, in its editor view (no managedFields). */
export interface ServerVersion {
  readonly object: JsonObject;
  readonly resourceVersion: string;
  /** Who made it: a Tandem user or a field manager. */
  readonly by?: string;
}

export interface ConflictState {
  readonly result: RebaseResult;
  readonly theirs: ServerVersion;
  readonly theirsText: string;
  readonly mineText: string;
}

export interface SaveOutcome {
  readonly kind: 'saved' | 'validated' | 'error' | 'rebased';
  readonly message: string;
}

/** Everything the editor's React parts render. */
export interface SessionSnapshot {
  readonly baseResourceVersion: string | null;
  readonly base: JsonObject | null;
  readonly parsed: ParsedText;
  /** The server is at a newer version than the text's base and the text could not be rebased yet. */
  readonly behind: string | null;
  readonly sessions: readonly PresenceSession[];
  readonly leases: readonly Lease[];
  readonly locks: readonly LockedField[];
  readonly ownLeases: readonly string[];
  readonly conflict: ConflictState | null;
  readonly choices: Readonly<Record<string, ConflictChoice>>;
  readonly refused: string | null;
  readonly readOnly: boolean;
  readonly saving: boolean;
  readonly outcome: SaveOutcome | null;
  readonly confirm: { readonly baseText: string; readonly editedText: string } | null;
  /** The last upstream change, for the banner; `keptLocalEdits` when the user had unsaved edits then. */
  readonly upstream: { readonly change: ResourceChanged; readonly keptLocalEdits: boolean } | null;
}

/** What an editor shows before its object has loaded. */
export const EMPTY_SESSION_SNAPSHOT: SessionSnapshot = {
  baseResourceVersion: null,
  base: null,
  parsed: { ok: false, problem: 'The object is not loaded yet' },
  behind: null,
  sessions: [],
  leases: [],
  locks: [],
  ownLeases: [],
  conflict: null,
  choices: {},
  refused: null,
  readOnly: false,
  saving: false,
  outcome: null,
  confirm: null,
  upstream: null,
};

/** The text the session edits, as the editor holds it (Monaco in the app, a string in tests). */
export interface SessionText {
  read(): string;
  /** Replaces the whole text (the first load). */
  replaceAll(text: string): void;
  /** Applies edits computed from server versions (rebase, resolution), keeping the user's place. */
  applyUpstream(text: string, edits: readonly TextEdit[]): void;
  /** Applies edits as if the user typed them (undoable, leased); false when the editor refuses them. */
  applyAsUser(edits: readonly TextEdit[]): boolean;
}

/** The leases of this session's own edits (LeaseKeeper in the app). */
export interface FieldLeases {
  edited(path: FieldPath): void;
  releaseAll(): void;
  forget(): void;
  dispose(): void;
}

/** Lines covered by a cursor or selection, 1-based. */
export interface LineRange {
  readonly startLine: number;
  readonly endLine: number;
}

/** Why edits under a cursor are stopped: what the editor shows, and what an attempted edit is told. */
export interface EditBlock {
  readonly shown: string;
  readonly refusal: string;
}

function newer(candidate: string, current: string): boolean {
  if (/^\d+$/.test(candidate) && /^\d+$/.test(current)) return BigInt(candidate) > BigInt(current);
  return candidate !== current;
}

function yamlOf(object: JsonObject): string {
  return stringify(object, { lineWidth: 0 });
}

/**
 * One open object's editing session, without any editor or DOM: the base version of the text, live
 * rebase onto upstream versions (or conflicts to resolve), others' leases placed on the text,
 * presence, read-only reasons, and the states of the guarded save. A small store for React.
 */
export class EditingSession implements OpenObject {
  private snapshot: SessionSnapshot = EMPTY_SESSION_SNAPSHOT;
  private readonly listeners = new Set<() => void>();
  /** Every session's leases on this resource: the join snapshot plus `lock:changed` deltas. */
  private readonly leaseBook = new LeaseBook();
  private latest: ServerVersion | null = null;
  /** True while the session itself changes the text: those changes are not the user's edits. */
  private applying = false;
  private contextRemoved = false;
  private refusedTimer: ReturnType<typeof setTimeout> | undefined;
  private parseTimer: ReturnType<typeof setTimeout> | undefined;
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly text: SessionText,
    private readonly leases: FieldLeases,
    private readonly ownSessionId: () => string | undefined,
  ) {}

  // ------------------------------------------------------------------ React store

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  private publish(patch: Partial<SessionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    clearTimeout(this.refusedTimer);
    clearTimeout(this.parseTimer);
    clearTimeout(this.catchUpTimer);
    this.leases.dispose();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ server versions

  /** The join ack (first open, or again after a reconnect): unsaved text is rebased onto it, never replaced. */
  joined(object: JsonObject, resourceVersion: string, sessions: readonly PresenceSession[], leases: readonly Lease[]): void {
    this.leases.forget();
    this.publish({ sessions: [...sessions], ownLeases: [] });
    this.leaseBook.snapshot(leases);
    this.setLeases(this.leaseBook.leases());
    const view = editorViewOf(object);
    if (this.snapshot.base === null) {
      this.asSession(() => this.text.replaceAll(yamlOf(view)));
      this.latest = { object: view, resourceVersion };
      this.publish({ base: view, baseResourceVersion: resourceVersion, parsed: parseEditorText(this.text.read()) });
      this.refreshLocks();
      return;
    }
    this.receive({ object: view, resourceVersion });
  }

  /** A newer version of the object exists (a push, a stale save, a save of ours): rebase onto it. */
  receive(version: ServerVersion): void {
    if (this.latest !== null && !newer(version.resourceVersion, this.latest.resourceVersion)) return;
    this.latest = { ...version, object: editorViewOf(version.object) };
    this.catchUp();
  }

  /** A `resource:changed` push: announce it, and rebase the text onto its object. */
  upstreamChanged(change: ResourceChanged): void {
    const base = this.snapshot.base;
    // The text as it is now: the snapshot's parse may be a few keystrokes behind.
    const parsed = parseEditorText(this.text.read());
    const keptLocalEdits = parsed.ok && base !== null && !jsonEqual(parsed.object, base);
    this.publish({ upstream: { change, keptLocalEdits } });
    if (change.object === undefined) return;
    const by = change.user ?? change.manager;
    this.receive({ object: change.object, resourceVersion: change.resourceVersion, ...(by !== undefined ? { by } : {}) });
  }

  dismissUpstream(): void {
    this.publish({ upstream: null });
  }

  private catchUp(): void {
    const latest = this.latest;
    const base = this.snapshot.base;
    if (latest === null || base === null || latest.resourceVersion === this.snapshot.baseResourceVersion) return;
    const text = this.text.read();
    const plan = planUpstream(base, text, latest.object);
    if (plan.kind === 'unparseable') {
      this.publish({ behind: `Version ${latest.resourceVersion} is waiting: ${plan.problem}. Fix the YAML to take it in.` });
      return;
    }
    if (plan.kind === 'conflict') {
      const keep = Object.fromEntries(Object.entries(this.snapshot.choices).filter(([path]) => plan.result.conflicts.some((c) => c.path === path)));
      const merged = isJsonObject(plan.result.merged) ? plan.result.merged : latest.object;
      this.publish({ conflict: { result: plan.result, theirs: latest, theirsText: yamlOf(merged), mineText: text }, choices: keep, behind: null });
      this.refreshLocks();
      return;
    }
    this.applyUpstream(text, plan.edits);
    this.publish({ base: latest.object, baseResourceVersion: latest.resourceVersion, behind: null, conflict: null, choices: {}, parsed: parseEditorText(this.text.read()) });
    this.refreshLocks();
  }

  private applyUpstream(text: string, edits: readonly TextEdit[]): void {
    if (edits.length === 0) return;
    this.asSession(() => this.text.applyUpstream(text, edits));
  }

  private asSession(change: () => void): void {
    this.applying = true;
    try {
      change();
    } finally {
      this.applying = false;
    }
  }

  // ------------------------------------------------------------------ conflicts

  choose(path: string, choice: ConflictChoice): void {
    this.publish({ choices: { ...this.snapshot.choices, [path]: choice } });
  }

  /** Applies the per-field choices: the text becomes theirs plus mine's non-conflicting and chosen fields. */
  applyResolution(): void {
    const conflict = this.snapshot.conflict;
    const base = this.snapshot.base;
    if (conflict === null || base === null) return;
    // The user may have typed since the conflict showed: decide on the current text.
    const text = this.text.read();
    const plan = planUpstream(base, text, conflict.theirs.object);
    if (plan.kind === 'unparseable') {
      this.refuse(plan.problem);
      return;
    }
    let resolved: unknown;
    if (plan.kind === 'rebased') {
      this.applyUpstream(text, plan.edits);
    } else {
      try {
        resolved = resolve(plan.result, this.snapshot.choices);
      } catch (error) {
        if (error instanceof UnresolvedConflictsError) {
          this.publish({ conflict: { ...conflict, result: plan.result, mineText: text } });
          return;
        }
        throw error;
      }
      this.applyUpstream(text, textEdits(text, plan.mine, resolved as JsonObject, { verify: true }));
    }
    this.publish({
      base: conflict.theirs.object,
      baseResourceVersion: conflict.theirs.resourceVersion,
      conflict: null,
      choices: {},
      parsed: parseEditorText(this.text.read()),
    });
    this.refreshLocks();
    // A version may have arrived while the conflict was open.
    this.catchUp();
  }

  // ------------------------------------------------------------------ editing the whole object

  /**
   * Changes the object as the user would by typing (a version restored from the history): minimal
   * text edits from the current text's object to `change(object)`, which the guarded save then writes.
   */
  editObject(change: (current: JsonObject) => JsonValue): ObjectEditResult {
    const text = this.text.read();
    const parsed = parseEditorText(text);
    if (!parsed.ok) return { kind: 'unparseable', problem: parsed.problem };
    const edits = textEdits(text, parsed.object, change(parsed.object));
    if (edits.length === 0) return { kind: 'unchanged' };
    return this.text.applyAsUser(edits) ? { kind: 'applied' } : { kind: 'read-only' };
  }

  // ------------------------------------------------------------------ saving

  /** Save button or Ctrl/Cmd+S: shows the diff to confirm, when saving is possible. */
  requestSave(): void {
    const base = this.snapshot.base;
    const text = this.text.read();
    const parsed = parseEditorText(text);
    if (base === null || !parsed.ok || this.snapshot.conflict !== null || this.snapshot.readOnly || jsonEqual(parsed.object, base)) return;
    this.publish({ confirm: { baseText: yamlOf(base), editedText: text }, outcome: null });
  }

  cancelSave(): void {
    this.publish({ confirm: null });
  }

  /** A save starts: what to send, or null when the text cannot be saved. */
  beginSave(): { readonly baseResourceVersion: string; readonly object: JsonObject } | null {
    const baseResourceVersion = this.snapshot.baseResourceVersion;
    const parsed = parseEditorText(this.text.read());
    if (baseResourceVersion === null || !parsed.ok) return null;
    this.publish({ confirm: null, saving: true, outcome: null });
    return { baseResourceVersion, object: parsed.object };
  }

  /** The cluster accepted a dry run against `baseResourceVersion`. */
  validated(baseResourceVersion: string): void {
    this.publish({ saving: false, outcome: { kind: 'validated', message: `The cluster accepts this (dry run against rv ${baseResourceVersion}); nothing was written.` } });
  }

  /** The save was written: leases go back, and the text's base moves to the saved version. */
  saved(result: SaveResult): void {
    this.leases.releaseAll();
    this.publish({ saving: false, ownLeases: [], outcome: { kind: 'saved', message: `Saved as rv ${result.resourceVersion}.` } });
    this.receive({ object: result.object, resourceVersion: result.resourceVersion, by: 'you' });
  }

  /** The save was refused as stale: the text is rebased onto the current version, to review and save again. */
  stale(details: StaleDetails): void {
    const by = details.changedBy ?? 'someone';
    this.publish({ saving: false, outcome: { kind: 'rebased', message: `Not saved: ${by} changed the object meanwhile (now rv ${details.resourceVersion}). Your edits were rebased onto it; review and save again.` } });
    this.receive({ object: details.current, resourceVersion: details.resourceVersion, by });
  }

  saveFailed(message: string): void {
    this.publish({ saving: false, outcome: { kind: 'error', message } });
  }

  // ------------------------------------------------------------------ the user's edits

  /** The text changed at these offsets (by the user, or by the session itself while it applies a version). */
  textChanged(offsets: readonly number[]): void {
    const text = this.text.read();
    // Parsing the whole document on every keystroke makes typing in a large object lag; what the parse
    // feeds (the save button's state) can wait until typing pauses. Saving parses the text itself.
    clearTimeout(this.parseTimer);
    this.parseTimer = setTimeout(() => this.publish({ parsed: parseEditorText(this.text.read()) }), PARSE_AFTER_TYPING_MS);
    const base = this.snapshot.base;
    if (!this.applying && base !== null) {
      // A new edit makes an earlier "saved" or "valid" note out of date; errors stay until the next save.
      if (this.snapshot.outcome !== null && this.snapshot.outcome.kind !== 'error') this.publish({ outcome: null });
      for (const offset of offsets) {
        const path = leasePathForEdit(base, text, offset);
        if (path !== undefined) this.leases.edited(path);
      }
      // A version that waited for the YAML to parse again is taken in now.
      if (this.latest !== null && this.latest.resourceVersion !== this.snapshot.baseResourceVersion && this.snapshot.conflict === null) {
        clearTimeout(this.catchUpTimer);
        this.catchUpTimer = setTimeout(() => this.catchUp(), 0);
      }
    }
    this.refreshLocks();
  }

  /** The editor lost focus: this session's leases go back. */
  blurred(): void {
    this.leases.releaseAll();
    this.publish({ ownLeases: [] });
  }

  /** Why edits under these cursors are stopped, if they are. */
  editBlockAt(selections: readonly LineRange[]): EditBlock | undefined {
    if (this.contextRemoved) {
      return { shown: CONTEXT_REMOVED_READ_ONLY, refusal: 'Read-only: this context was removed, so nothing here can be saved. Copy the text if you need it.' };
    }
    const status = lineSpanOf(this.text.read(), 'status');
    if (status !== undefined && selections.some((s) => s.startLine <= status.endLine && s.endLine >= status.startLine)) {
      return { shown: STATUS_READ_ONLY, refusal: `Not applied: ${STATUS_READ_ONLY}` };
    }
    for (const s of selections) {
      const lock = lockAtLines(this.snapshot.locks, s.startLine, s.endLine);
      if (lock !== undefined) {
        return {
          shown: `locked by ${lock.lease.owner}: ${lock.lease.path} is being edited`,
          refusal: `Not applied: ${lock.lease.path} is locked by ${lock.lease.owner}, who is editing it. Wait until they finish, or edit another field.`,
        };
      }
    }
    return undefined;
  }

  /** The user typed where the editor is read-only: say why. */
  readOnlyEditAttempted(selections: readonly LineRange[]): void {
    const block = this.editBlockAt(selections);
    if (block !== undefined) this.refuse(block.refusal);
  }

  /** Shows why an edit did not happen, for a while. */
  refuse(message: string): void {
    clearTimeout(this.refusedTimer);
    this.publish({ refused: message });
    this.refusedTimer = setTimeout(() => this.publish({ refused: null }), REFUSED_VISIBLE_MS);
  }

  // ------------------------------------------------------------------ leases, presence, context

  /** A `lock:changed` delta for this resource. */
  leaseChanged(event: LockChanged): void {
    this.leaseBook.apply(event);
    this.setLeases(this.leaseBook.leases());
  }

  /** The connection dropped: lease deltas sent meanwhile never arrive, so the next join's snapshot starts over. */
  connectionLost(): void {
    this.leaseBook.clear();
  }

  private setLeases(leases: readonly Lease[]): void {
    const own = this.ownSessionId();
    this.publish({ leases: [...leases], ownLeases: leases.filter((l) => l.sessionId === own).map((l) => l.path) });
    this.refreshLocks();
  }

  presenceChanged(sessions: readonly PresenceSession[]): void {
    this.publish({ sessions: [...sessions] });
  }

  setContextRemoved(removed: boolean): void {
    if (removed === this.contextRemoved) return;
    this.contextRemoved = removed;
    if (removed) this.leases.forget();
    this.publish({ readOnly: removed });
  }

  /** Others' leases placed on the current text (a new list each time, so the editor redraws them). */
  private refreshLocks(): void {
    this.publish({ locks: lockedFields(this.text.read(), this.snapshot.leases, this.ownSessionId()) });
  }
}
