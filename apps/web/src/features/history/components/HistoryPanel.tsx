import { useState } from 'react';
import { GatewayError } from '../../../api/gateway.js';
import type { EditorPanelProps } from '../../../slots/editor-panel.js';
import { useResourceHistory } from '../hooks/useHistory.js';
import { restoreBlockReason, restoredVersion, type HistoryEntry } from '../state/history-entry.js';
import { HistoryEntryView } from './HistoryEntryView.js';

/**
 * One object's history beside its editor. "Restore this version" only edits the text: the normal
 * guarded save (stale and lock checks, diff confirm) is what writes it.
 */
export function HistoryPanel({ target, object }: EditorPanelProps) {
  const history = useResourceHistory(target, true);
  const [notice, setNotice] = useState<{ kind: 'error' | 'done'; message: string } | null>(null);

  const restore = (entry: HistoryEntry) => {
    if (object === null) return;
    const result = object.editObject((current) => restoredVersion(current, entry));
    switch (result.kind) {
      case 'unparseable':
        setNotice({ kind: 'error', message: `Fix the YAML before restoring: ${result.problem}` });
        return;
      case 'unchanged':
        setNotice({ kind: 'done', message: 'The editor already holds these values.' });
        return;
      case 'applied':
        setNotice({ kind: 'done', message: `Restored the fields ${entry.actor} changed at ${new Date(entry.at).toLocaleString()} as an unsaved edit: review it and Save.` });
        return;
      case 'read-only':
        setNotice({ kind: 'error', message: 'The editor is read-only here; nothing was restored.' });
        return;
    }
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
