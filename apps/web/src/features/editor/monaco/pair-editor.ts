import {
  jsonEqual,
  offsetToPosition,
  pathAt,
  resolve,
  textEdits,
  UnresolvedConflictsError,
  isJsonObject,
  LeaseBook,
  type ConflictChoice,
  type JsonObject,
  type Lease,
  type LockChanged,
  type PresenceSession,
  type RebaseResult,
  type ResourceChanged,
  type ResourceRef,
  type TextEdit,
} from '@tandem/sync';
import { TandemRequestError, type TandemClient } from '@tandem/sync/client';
import { stringify } from 'yaml';
import { editorViewOf } from '../state/editor-view.js';
import { LeaseKeeper } from '../state/lease-keeper.js';
import { leasePathForEdit, lineSpanOf, lockAtLines, lockedFields, parseEditorText, planUpstream, type LockedField, type ParsedText } from '../state/pair-editing.js';
import { colourClass } from './collab-styles.js';
import { monaco } from './monaco.js';

/** Presence updates are sent at most this often while the cursor moves. */
const PRESENCE_THROTTLE_MS = 80;
/** How long the "edit refused" explanation stays up. */
const REFUSED_VISIBLE_MS = 6_000;
/** How long typing must pause before the text is parsed again for the save button. */
const PARSE_AFTER_TYPING_MS = 150;
/** Why the status lines do not take edits: the API server ignores status in a save. */
export const STATUS_READ_ONLY = "status is written by the cluster's controllers; a save never changes it, so it is read-only here";

/** A server version of the object, in its editor view (no managedFields). */
interface ServerVersion {
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
export interface PairEditorSnapshot {
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

function newer(candidate: string, current: string): boolean {
  if (/^\d+$/.test(candidate) && /^\d+$/.test(current)) return BigInt(candidate) > BigInt(current);
  return candidate !== current;
}

function toMonacoEdits(text: string, edits: readonly TextEdit[]): monaco.editor.IIdentifiedSingleEditOperation[] {
  return edits.map((edit) => {
    const start = offsetToPosition(text, edit.range.start);
    const end = offsetToPosition(text, edit.range.end);
    return { range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column), text: edit.text };
  });
}

function yamlOf(object: JsonObject): string {
  return stringify(object, { lineWidth: 0 });
}

/** What an editor shows before its object has loaded. */
export const EMPTY_PAIR_EDITOR_SNAPSHOT: PairEditorSnapshot = {
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

/**
 * One open object in Monaco with everything pair-editing needs: the base version of the text,
 * field leases for the user's edits, others' leases as read-only ranges, presence, live rebase
 * onto upstream versions (or conflicts to resolve), and the guarded save.
 */
export class PairEditor {
  private snapshot: PairEditorSnapshot = EMPTY_PAIR_EDITOR_SNAPSHOT;
  private readonly listeners = new Set<() => void>();
  private readonly disposables: monaco.IDisposable[] = [];
  private readonly keeper: LeaseKeeper;
  /** Every session's leases on this resource: the join snapshot plus `lock:changed` deltas. */
  private readonly leaseBook = new LeaseBook();
  private latest: ServerVersion | null = null;
  private applying = false;
  private lockDecorations: monaco.editor.IEditorDecorationsCollection;
  private presenceDecorations: monaco.editor.IEditorDecorationsCollection;
  private conflictDecorations: monaco.editor.IEditorDecorationsCollection;
  private presenceTimer: ReturnType<typeof setTimeout> | undefined;
  private presencePending = false;
  private refusedTimer: ReturnType<typeof setTimeout> | undefined;
  private parseTimer: ReturnType<typeof setTimeout> | undefined;
  private contextRemoved = false;
  private readonly labels = new Map<string, monaco.editor.IContentWidget>();

  constructor(
    readonly editor: monaco.editor.IStandaloneCodeEditor,
    readonly model: monaco.editor.ITextModel,
    private readonly client: TandemClient,
    private readonly ref: ResourceRef,
  ) {
    this.keeper = new LeaseKeeper(client, ref, (refusal) =>
      this.refuse(`Not yours to edit: ${refusal.path} is being edited by ${refusal.holder ?? 'someone else'}. Wait until they finish, or edit another field.`),
    );
    this.lockDecorations = editor.createDecorationsCollection();
    this.presenceDecorations = editor.createDecorationsCollection();
    this.conflictDecorations = editor.createDecorationsCollection();
    this.disposables.push(
      model.onDidChangeContent((event) => this.contentChanged(event)),
      editor.onDidChangeCursorSelection(() => {
        this.updateReadOnly();
        this.schedulePresence();
      }),
      editor.onDidAttemptReadOnlyEdit(() => this.readOnlyEditAttempted()),
      editor.onDidBlurEditorText(() => {
        this.keeper.releaseAll();
        this.publish({ ownLeases: [] });
        this.sendPresence(true);
      }),
      editor.onDidFocusEditorText(() => this.sendPresence(false)),
      editor.addAction({
        id: 'tandem.save',
        label: 'Save to the cluster',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
        run: () => this.requestSave(),
      }),
    );
  }

  // ------------------------------------------------------------------ React store

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): PairEditorSnapshot => this.snapshot;

  private publish(patch: Partial<PairEditorSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }

  dispose(): void {
    clearTimeout(this.presenceTimer);
    clearTimeout(this.refusedTimer);
    clearTimeout(this.parseTimer);
    this.keeper.dispose();
    for (const widget of this.labels.values()) this.editor.removeContentWidget(widget);
    for (const d of this.disposables) d.dispose();
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ server versions

  /** The join ack (first open, or again after a reconnect): unsaved text is rebased onto it, never replaced. */
  joined(object: JsonObject, resourceVersion: string, sessions: readonly PresenceSession[], leases: readonly Lease[]): void {
    this.keeper.forget();
    this.publish({ sessions: [...sessions], ownLeases: [] });
    this.leaseBook.snapshot(leases);
    this.setLeases(this.leaseBook.leases());
    const view = editorViewOf(object);
    if (this.snapshot.base === null) {
      this.applying = true;
      this.model.setValue(yamlOf(view));
      this.applying = false;
      this.latest = { object: view, resourceVersion };
      this.publish({ base: view, baseResourceVersion: resourceVersion, parsed: parseEditorText(this.model.getValue()) });
      this.refreshDecorations();
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
    const parsed = parseEditorText(this.model.getValue());
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
    const text = this.model.getValue();
    const plan = planUpstream(base, text, latest.object);
    if (plan.kind === 'unparseable') {
      this.publish({ behind: `Version ${latest.resourceVersion} is waiting: ${plan.problem}. Fix the YAML to take it in.` });
      return;
    }
    if (plan.kind === 'conflict') {
      const keep = Object.fromEntries(Object.entries(this.snapshot.choices).filter(([path]) => plan.result.conflicts.some((c) => c.path === path)));
      const merged = isJsonObject(plan.result.merged) ? plan.result.merged : latest.object;
      this.publish({ conflict: { result: plan.result, theirs: latest, theirsText: yamlOf(merged), mineText: text }, choices: keep, behind: null });
      this.refreshDecorations();
      return;
    }
    this.applyEdits(text, plan.edits);
    this.publish({ base: latest.object, baseResourceVersion: latest.resourceVersion, behind: null, conflict: null, choices: {}, parsed: parseEditorText(this.model.getValue()) });
    this.refreshDecorations();
  }

  private applyEdits(text: string, edits: readonly TextEdit[]): void {
    if (edits.length === 0) return;
    const cursor = this.editor.getPosition();
    // Where the cursor sits on screen, so lines inserted above it do not push the user's place away.
    const offsetOnScreen = cursor === null ? null : this.editor.getTopForPosition(cursor.lineNumber, cursor.column) - this.editor.getScrollTop();
    this.applying = true;
    try {
      // pushEditOperations keeps the undo stack and lets Monaco move cursors with the text.
      this.model.pushEditOperations(this.editor.getSelections() ?? [], toMonacoEdits(text, edits), () => null);
      this.model.pushStackElement();
    } finally {
      this.applying = false;
    }
    const moved = this.editor.getPosition();
    if (offsetOnScreen !== null && moved !== null) this.editor.setScrollTop(this.editor.getTopForPosition(moved.lineNumber, moved.column) - offsetOnScreen);
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
    const text = this.model.getValue();
    const plan = planUpstream(base, text, conflict.theirs.object);
    if (plan.kind === 'unparseable') {
      this.refuse(plan.problem);
      return;
    }
    let resolved: unknown;
    if (plan.kind === 'rebased') {
      this.applyEdits(text, plan.edits);
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
      this.applyEdits(text, textEdits(text, plan.mine, resolved as JsonObject, { verify: true }));
    }
    this.publish({
      base: conflict.theirs.object,
      baseResourceVersion: conflict.theirs.resourceVersion,
      conflict: null,
      choices: {},
      parsed: parseEditorText(this.model.getValue()),
    });
    this.refreshDecorations();
    // A version may have arrived while the conflict was open.
    this.catchUp();
  }

  // ------------------------------------------------------------------ saving

  /** Save button or Ctrl/Cmd+S: shows the diff to confirm, when saving is possible. */
  requestSave(): void {
    const base = this.snapshot.base;
    const parsed = parseEditorText(this.model.getValue());
    if (base === null || !parsed.ok || this.snapshot.conflict !== null || this.snapshot.readOnly || jsonEqual(parsed.object, base)) return;
    this.publish({ confirm: { baseText: yamlOf(base), editedText: this.model.getValue() }, outcome: null });
  }

  cancelSave(): void {
    this.publish({ confirm: null });
  }

  /** Writes the text (or, with dryRun, asks the cluster whether it would accept it). */
  async save(dryRun: boolean): Promise<void> {
    const baseResourceVersion = this.snapshot.baseResourceVersion;
    const parsed = parseEditorText(this.model.getValue());
    if (baseResourceVersion === null || !parsed.ok) return;
    this.publish({ confirm: null, saving: true, outcome: null });
    try {
      const result = await this.client.request('resource:save', { ref: this.ref, baseResourceVersion, object: parsed.object, dryRun });
      if (result.dryRun) {
        this.publish({ saving: false, outcome: { kind: 'validated', message: `The cluster accepts this (dry run against rv ${baseResourceVersion}); nothing was written.` } });
        return;
      }
      this.keeper.releaseAll();
      this.publish({ saving: false, ownLeases: [], outcome: { kind: 'saved', message: `Saved as rv ${result.resourceVersion}.` } });
      this.receive({ object: result.object, resourceVersion: result.resourceVersion, by: 'you' });
    } catch (error) {
      if (error instanceof TandemRequestError && error.code === 'stale' && error.details !== undefined) {
        const current = error.details['current'];
        const resourceVersion = error.details['resourceVersion'];
        const changedBy = error.details['changedBy'];
        if (isJsonObject(current) && typeof resourceVersion === 'string') {
          const by = typeof changedBy === 'string' ? changedBy : 'someone';
          this.publish({ saving: false, outcome: { kind: 'rebased', message: `Not saved: ${by} changed the object meanwhile (now rv ${resourceVersion}). Your edits were rebased onto it; review and save again.` } });
          this.receive({ object: current, resourceVersion, by });
          return;
        }
      }
      const message = error instanceof TandemRequestError ? (error.message.replace(/^resource:save: /, '')) : error instanceof Error ? error.message : String(error);
      this.publish({ saving: false, outcome: { kind: 'error', message } });
    }
  }

  // ------------------------------------------------------------------ leases, locks, presence

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
    const own = this.client.id;
    this.publish({ leases: [...leases], ownLeases: leases.filter((l) => l.sessionId === own).map((l) => l.path) });
    this.refreshDecorations();
  }

  presenceChanged(sessions: readonly PresenceSession[]): void {
    this.publish({ sessions: [...sessions] });
    this.refreshPresenceDecorations();
  }

  setContextRemoved(removed: boolean): void {
    if (removed === this.contextRemoved) return;
    this.contextRemoved = removed;
    if (removed) this.keeper.forget();
    this.publish({ readOnly: removed });
    this.updateReadOnly();
  }

  private contentChanged(event: monaco.editor.IModelContentChangedEvent): void {
    const text = this.model.getValue();
    // Parsing the whole document on every keystroke makes typing in a large object lag; what the parse
    // feeds (the save button's state) can wait until typing pauses. Saving parses the text itself.
    clearTimeout(this.parseTimer);
    this.parseTimer = setTimeout(() => this.publish({ parsed: parseEditorText(this.model.getValue()) }), PARSE_AFTER_TYPING_MS);
    if (!this.applying && this.snapshot.base !== null) {
      // A new edit makes an earlier "saved" or "valid" note out of date; errors stay until the next save.
      if (this.snapshot.outcome !== null && this.snapshot.outcome.kind !== 'error') this.publish({ outcome: null });
      for (const change of event.changes) {
        const path = leasePathForEdit(this.snapshot.base, text, change.rangeOffset);
        if (path !== undefined) this.keeper.edited(path);
      }
      // A version that waited for the YAML to parse again is taken in now.
      if (this.latest !== null && this.latest.resourceVersion !== this.snapshot.baseResourceVersion && this.snapshot.conflict === null) {
        setTimeout(() => this.catchUp(), 0);
      }
    }
    this.refreshDecorations();
  }

  private refreshDecorations(): void {
    const text = this.model.getValue();
    const locks = lockedFields(text, this.snapshot.leases, this.client.id);
    this.publish({ locks });
    this.lockDecorations.set(
      locks.map(({ lease, span }) => {
        const colour = colourClass(this.colourOf(lease.owner));
        return {
          range: new monaco.Range(span.startLine, 1, span.endLine, 1),
          options: {
            isWholeLine: true,
            className: `tandem-lock tandem-lock-${colour}`,
            linesDecorationsClassName: `tandem-lock-gutter tandem-lock-gutter-${colour}`,
            hoverMessage: { value: `locked by ${lease.owner} (${lease.path})` },
            stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
          },
        };
      }),
    );
    const conflict = this.snapshot.conflict;
    this.conflictDecorations.set(
      (conflict?.result.conflicts ?? []).flatMap((c) => {
        const span = lineSpanOf(text, c.path);
        return span === undefined
          ? []
          : [{ range: new monaco.Range(span.startLine, 1, span.endLine, 1), options: { isWholeLine: true, className: 'tandem-conflict', linesDecorationsClassName: 'tandem-conflict-gutter', hoverMessage: { value: `conflict: ${c.path} changed on both sides` } } }];
      }),
    );
    this.updateReadOnly();
    this.refreshPresenceDecorations();
  }

  private refreshPresenceDecorations(): void {
    const own = this.client.id;
    const decorations: monaco.editor.IModelDeltaDecoration[] = [];
    const shown = new Set<string>();
    for (const session of this.snapshot.sessions) {
      const sel = session.selection;
      if (session.sessionId === own || sel === undefined) continue;
      const colour = colourClass(session.color);
      if (sel.startLine !== sel.endLine || sel.startColumn !== sel.endColumn) {
        decorations.push({ range: new monaco.Range(sel.startLine, sel.startColumn, sel.endLine, sel.endColumn), options: { className: `tandem-sel-${colour}`, hoverMessage: { value: session.user } } });
      }
      decorations.push({
        range: new monaco.Range(sel.endLine, Math.max(1, sel.endColumn - 1), sel.endLine, sel.endColumn),
        options: { afterContentClassName: `tandem-caret tandem-caret-${colour}`, stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges },
      });
      this.placeLabel(session.sessionId, session.user, colour, sel.endLine, sel.endColumn);
      shown.add(session.sessionId);
    }
    for (const [sessionId, widget] of [...this.labels]) {
      if (shown.has(sessionId)) continue;
      this.editor.removeContentWidget(widget);
      this.labels.delete(sessionId);
    }
    this.presenceDecorations.set(decorations);
  }

  /** A name tag above another person's cursor (a content widget: decorations cannot carry text reliably). */
  private placeLabel(sessionId: string, user: string, colour: string, lineNumber: number, column: number): void {
    const existing = this.labels.get(sessionId);
    if (existing !== undefined) this.editor.removeContentWidget(existing);
    const node = document.createElement('span');
    node.className = `tandem-label tandem-label-${colour}`;
    node.textContent = user;
    node.dataset['user'] = user;
    const widget: monaco.editor.IContentWidget = {
      getId: () => `tandem.label.${sessionId}`,
      getDomNode: () => node,
      getPosition: () => ({ position: { lineNumber, column }, preference: [monaco.editor.ContentWidgetPositionPreference.ABOVE, monaco.editor.ContentWidgetPositionPreference.BELOW] }),
    };
    this.labels.set(sessionId, widget);
    this.editor.addContentWidget(widget);
  }

  private colourOf(user: string): string {
    return this.snapshot.sessions.find((s) => s.user === user)?.color ?? '#808080';
  }

  /** The lock under the cursor or selection, if any. */
  private lockUnderCursor(): LockedField | undefined {
    const selections = this.editor.getSelections() ?? [];
    for (const s of selections) {
      const found = lockAtLines(this.snapshot.locks, s.startLineNumber, s.endLineNumber);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * Edits inside someone else's field are stopped before they happen: the editor turns read-only
   * while the cursor is in a locked field, and Monaco reports each attempted keystroke.
   */
  private updateReadOnly(): void {
    if (this.contextRemoved) {
      this.editor.updateOptions({ readOnly: true, readOnlyMessage: { value: 'This context was removed from the kubeconfig: the text is kept for copying but cannot be saved.' } });
      return;
    }
    if (this.cursorInStatus()) {
      this.editor.updateOptions({ readOnly: true, readOnlyMessage: { value: STATUS_READ_ONLY } });
      return;
    }
    const lock = this.lockUnderCursor();
    this.editor.updateOptions(lock === undefined ? { readOnly: false } : { readOnly: true, readOnlyMessage: { value: `locked by ${lock.lease.owner}: ${lock.lease.path} is being edited` } });
  }

  /** Whether a cursor or selection touches the lines of `status`, which a save never changes. */
  private cursorInStatus(): boolean {
    const span = lineSpanOf(this.model.getValue(), 'status');
    if (span === undefined) return false;
    return (this.editor.getSelections() ?? []).some((s) => s.startLineNumber <= span.endLine && s.endLineNumber >= span.startLine);
  }

  private readOnlyEditAttempted(): void {
    if (this.contextRemoved) {
      this.refuse('Read-only: this context was removed, so nothing here can be saved. Copy the text if you need it.');
      return;
    }
    if (this.cursorInStatus()) {
      this.refuse(`Not applied: ${STATUS_READ_ONLY}`);
      return;
    }
    const lock = this.lockUnderCursor();
    if (lock !== undefined) this.refuse(`Not applied: ${lock.lease.path} is locked by ${lock.lease.owner}, who is editing it. Wait until they finish, or edit another field.`);
  }

  private refuse(message: string): void {
    clearTimeout(this.refusedTimer);
    this.publish({ refused: message });
    this.refusedTimer = setTimeout(() => this.publish({ refused: null }), REFUSED_VISIBLE_MS);
  }

  private schedulePresence(): void {
    if (this.presenceTimer !== undefined) {
      this.presencePending = true;
      return;
    }
    this.sendPresence(false);
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = undefined;
      if (this.presencePending) {
        this.presencePending = false;
        this.schedulePresence();
      }
    }, PRESENCE_THROTTLE_MS);
  }

  private sendPresence(idle: boolean): void {
    if (this.client.state !== 'connected' || this.snapshot.base === null) return;
    const selection = this.editor.getSelection();
    const text = this.model.getValue();
    const field = selection === null ? undefined : pathAt(text, this.model.getOffsetAt(selection.getPosition()));
    this.client
      .request('presence:update', {
        ref: this.ref,
        field: field === undefined || field === '' ? null : field,
        selection: selection === null ? null : { startLine: selection.startLineNumber, startColumn: selection.startColumn, endLine: selection.endLineNumber, endColumn: selection.endColumn },
        idle,
      })
      .catch(() => undefined);
  }
}
