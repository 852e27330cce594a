import { useState } from 'react';
import { GatewayError } from '../../../api/gateway.js';
import type { PairEditor } from '../../editor/monaco/pair-editor.js';
import { monaco } from '../../editor/monaco/monaco.js';
import { parseEditorText } from '../../editor/state/pair-editing.js';
import { useResourceHistory } from '../hooks/useHistory.js';
import { restoreBlockReason, restoreEdits, type HistoryEntry, type HistoryTarget } from '../state/history-entry.js';
import { HistoryEntryView } from './HistoryEntryView.js';

interface HistoryPanelProps {
  target: HistoryTarget;
  pair: PairEditor | null;
}

/**
 * One object's history beside its editor. "Restore this version" only edits the text: the normal
 * guarded save (stale and lock checks, diff confirm) is what writes it.
 */
export function HistoryPanel({ target, pair }: HistoryPanelProps) {
  const history = useResourceHistory(target, true);
  const [notice, setNotice] = useState<{ kind: 'error' | 'done'; message: string } | null>(null);

  const restore = (entry: HistoryEntry) => {
    if (pair === null) return;
    const text = pair.model.getValue();
    const parsed = parseEditorText(text);
    if (!parsed.ok) {
      setNotice({ kind: 'error', message: `Fix the YAML before restoring: ${parsed.problem}` });
      return;
    }
    const edits = restoreEdits(text, parsed.object, entry);
    if (edits.length === 0) {
      setNotice({ kind: 'done', message: 'The editor already holds these values.' });
      return;
    }
    const { model } = pair;
    const applied = pair.editor.executeEdits(
      'tandem.history-restore',
      edits.map((edit) => ({ range: monaco.Range.fromPositions(model.getPositionAt(edit.range.start), model.getPositionAt(edit.range.end)), text: edit.text })),
    );
    pair.editor.pushUndoStop();
    setNotice(
      applied
        ? { kind: 'done', message: `Restored the fields ${entry.actor} changed at ${new Date(entry.at).toLocaleString()} as an unsaved edit: review it and Save.` }
        : { kind: 'error', message: 'The editor is read-only here; nothing was restored.' },
    );
  };

  return (
    <aside className="history-panel" data-testid="history-panel" aria-label={`History of ${target.name}`}>
      <h3>History</h3>
      {notice !== null && (
        <p role={notice.kind === 'error' ? 'alert' : 'status'} className={`notice ${notice.kind === 'error' ? 'notice-error' : ''}`} data-testid="history-restore-notice" data-kind={notice.kind}>
          {notice.message}
        </p>
      )}
      {history.isPending && <p className="notice">Loading the history…</p>}
      {history.isError && (
        <p role="alert" className="notice notice-error" data-testid="history-error">
          {history.error instanceof GatewayError ? history.error.message : String(history.error)}
        </p>
      )}
      {history.data?.entries.length === 0 && <p className="muted">Nothing recorded for {target.name} yet.</p>}
      <ol className="history-timeline">
        {history.data?.entries.map((entry) => (
          <HistoryEntryView key={entry.id} entry={entry} {...(entry.outcome === 'applied' ? { onRestore: () => restore(entry), restoreBlocked: restoreBlockReason(entry) } : {})} />
        ))}
      </ol>
      <button type="button" data-testid="history-refresh" onClick={() => void history.refetch()}>
        Refresh
      </button>
    </aside>
  );
}
