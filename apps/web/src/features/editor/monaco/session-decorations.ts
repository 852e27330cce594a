import type { PresenceSession } from '@tandem/sync';
import type { ConflictState } from '../state/editing-session.js';
import { lineSpanOf, type LockedField } from '../state/pair-editing.js';
import { colourClass } from './collab-styles.js';
import { monaco } from './monaco.js';

/**
 * What the session shows inside Monaco: others' locked fields and conflicts as whole-line
 * decorations, and others' cursors and selections with a name tag above each cursor.
 */
export class SessionDecorations {
  private readonly locks: monaco.editor.IEditorDecorationsCollection;
  private readonly conflicts: monaco.editor.IEditorDecorationsCollection;
  private readonly presence: monaco.editor.IEditorDecorationsCollection;
  private readonly labels = new Map<string, monaco.editor.IContentWidget>();

  constructor(private readonly editor: monaco.editor.IStandaloneCodeEditor) {
    this.locks = editor.createDecorationsCollection();
    this.conflicts = editor.createDecorationsCollection();
    this.presence = editor.createDecorationsCollection();
  }

  /** Locked fields, coloured as their holder's cursor (grey when the holder has no session here). */
  showLocks(locks: readonly LockedField[], sessions: readonly PresenceSession[]): void {
    const colourOf = (user: string): string => sessions.find((s) => s.user === user)?.color ?? '#808080';
    this.locks.set(
      locks.map(({ lease, span }) => {
        const colour = colourClass(colourOf(lease.owner));
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
  }

  /** The fields both sides changed, placed on the current text. */
  showConflicts(text: string, conflict: ConflictState | null): void {
    this.conflicts.set(
      (conflict?.result.conflicts ?? []).flatMap((c) => {
        const span = lineSpanOf(text, c.path);
        return span === undefined
          ? []
          : [{ range: new monaco.Range(span.startLine, 1, span.endLine, 1), options: { isWholeLine: true, className: 'tandem-conflict', linesDecorationsClassName: 'tandem-conflict-gutter', hoverMessage: { value: `conflict: ${c.path} changed on both sides` } } }];
      }),
    );
  }

  /** Everyone else's cursor and selection. */
  showPresence(sessions: readonly PresenceSession[], ownSessionId: string | undefined): void {
    const decorations: monaco.editor.IModelDeltaDecoration[] = [];
    const shown = new Set<string>();
    for (const session of sessions) {
      const sel = session.selection;
      if (session.sessionId === ownSessionId || sel === undefined) continue;
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
    this.presence.set(decorations);
  }

  dispose(): void {
    for (const widget of this.labels.values()) this.editor.removeContentWidget(widget);
    this.labels.clear();
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
}
