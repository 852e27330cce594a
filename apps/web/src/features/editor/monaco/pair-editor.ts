import { pathAt, offsetToPosition, type ResourceRef, type TextEdit } from '@tandem/sync';
import type { TandemClient } from '@tandem/sync/client';
import { EditingSession, type LineRange, type SessionSnapshot, type SessionText } from '../state/editing-session.js';
import { LeaseKeeper } from '../state/lease-keeper.js';
import { PresenceSender, type PresencePosition } from '../state/presence-sender.js';
import { saveSession } from '../state/save-flow.js';
import { monaco } from './monaco.js';
import { SessionDecorations } from './session-decorations.js';

function toMonacoEdits(text: string, edits: readonly TextEdit[]): monaco.editor.IIdentifiedSingleEditOperation[] {
  return edits.map((edit) => {
    const start = offsetToPosition(text, edit.range.start);
    const end = offsetToPosition(text, edit.range.end);
    return { range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column), text: edit.text };
  });
}

/** The session's text as Monaco holds it. */
function monacoText(editor: monaco.editor.IStandaloneCodeEditor, model: monaco.editor.ITextModel): SessionText {
  return {
    read: () => model.getValue(),
    replaceAll: (text) => model.setValue(text),
    applyUpstream: (text, edits) => {
      const cursor = editor.getPosition();
      // Where the cursor sits on screen, so lines inserted above it do not push the user's place away.
      const offsetOnScreen = cursor === null ? null : editor.getTopForPosition(cursor.lineNumber, cursor.column) - editor.getScrollTop();
      // pushEditOperations keeps the undo stack and lets Monaco move cursors with the text.
      model.pushEditOperations(editor.getSelections() ?? [], toMonacoEdits(text, edits), () => null);
      model.pushStackElement();
      const moved = editor.getPosition();
      if (offsetOnScreen !== null && moved !== null) editor.setScrollTop(editor.getTopForPosition(moved.lineNumber, moved.column) - offsetOnScreen);
    },
    applyAsUser: (edits) => {
      // executeEdits goes through the editor as typing does: refused where it is read-only, one undo step.
      const applied = editor.executeEdits(
        'tandem.edit-object',
        edits.map((edit) => ({ range: monaco.Range.fromPositions(model.getPositionAt(edit.range.start), model.getPositionAt(edit.range.end)), text: edit.text })),
      );
      editor.pushUndoStop();
      return applied;
    },
  };
}

/**
 * One open object in Monaco: binds an EditingSession to the editor (its text, cursor, read-only
 * state and Save keybinding), draws the session's locks, conflicts and others' cursors, sends this
 * user's presence, and runs the guarded save.
 */
export class PairEditor {
  readonly session: EditingSession;
  private readonly decorations: SessionDecorations;
  private readonly presence: PresenceSender;
  private readonly disposables: monaco.IDisposable[] = [];
  private readonly stopDrawing: () => void;
  private drawn: SessionSnapshot;

  constructor(
    readonly editor: monaco.editor.IStandaloneCodeEditor,
    readonly model: monaco.editor.ITextModel,
    private readonly client: TandemClient,
    private readonly ref: ResourceRef,
  ) {
    const keeper = new LeaseKeeper(client, ref, (refusal) =>
      this.session.refuse(`Not yours to edit: ${refusal.path} is being edited by ${refusal.holder ?? 'someone else'}. Wait until they finish, or edit another field.`),
    );
    this.session = new EditingSession(monacoText(editor, model), keeper, () => client.id);
    this.decorations = new SessionDecorations(editor);
    this.presence = new PresenceSender(client, ref, () => this.position());
    this.drawn = this.session.getSnapshot();
    this.stopDrawing = this.session.subscribe(() => this.draw());
    this.disposables.push(
      model.onDidChangeContent((event) => this.session.textChanged(event.changes.map((change) => change.rangeOffset))),
      editor.onDidChangeCursorSelection(() => {
        this.updateReadOnly();
        this.presence.moved();
      }),
      editor.onDidAttemptReadOnlyEdit(() => this.session.readOnlyEditAttempted(this.selectedLines())),
      editor.onDidBlurEditorText(() => {
        this.session.blurred();
        this.presence.send(true);
      }),
      editor.onDidFocusEditorText(() => this.presence.send(false)),
      editor.addAction({
        id: 'tandem.save',
        label: 'Save to the cluster',
        keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS],
        run: () => this.session.requestSave(),
      }),
    );
  }

  /** Writes the text (or, with dryRun, asks the cluster whether it would accept it). */
  save(dryRun: boolean): Promise<void> {
    return saveSession(this.client, this.ref, this.session, dryRun);
  }

  dispose(): void {
    this.stopDrawing();
    this.presence.dispose();
    this.session.dispose();
    this.decorations.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** Redraws what changed in the session: locks and conflicts (with the read-only state), and others' cursors. */
  private draw(): void {
    const shown = this.session.getSnapshot();
    const before = this.drawn;
    this.drawn = shown;
    if (shown.locks !== before.locks || shown.conflict !== before.conflict) {
      this.decorations.showLocks(shown.locks, shown.sessions);
      this.decorations.showConflicts(this.model.getValue(), shown.conflict);
      this.updateReadOnly();
      this.decorations.showPresence(shown.sessions, this.client.id);
      return;
    }
    if (shown.sessions !== before.sessions) this.decorations.showPresence(shown.sessions, this.client.id);
    if (shown.readOnly !== before.readOnly) this.updateReadOnly();
  }

  private selectedLines(): LineRange[] {
    return (this.editor.getSelections() ?? []).map((s) => ({ startLine: s.startLineNumber, endLine: s.endLineNumber }));
  }

  /**
   * Edits inside someone else's field are stopped before they happen: the editor turns read-only
   * while the cursor is in a locked field, and Monaco reports each attempted keystroke.
   */
  private updateReadOnly(): void {
    const block = this.session.editBlockAt(this.selectedLines());
    this.editor.updateOptions(block === undefined ? { readOnly: false } : { readOnly: true, readOnlyMessage: { value: block.shown } });
  }

  private position(): PresencePosition | null {
    if (this.session.getSnapshot().base === null) return null;
    const selection = this.editor.getSelection();
    const field = selection === null ? undefined : pathAt(this.model.getValue(), this.model.getOffsetAt(selection.getPosition()));
    return {
      field,
      selection: selection === null ? null : { startLine: selection.startLineNumber, startColumn: selection.startColumn, endLine: selection.endLineNumber, endColumn: selection.endColumn },
    };
  }
}
