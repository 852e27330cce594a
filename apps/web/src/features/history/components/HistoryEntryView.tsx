import { useState } from 'react';
import { describeChange, type HistoryEntry } from '../state/history-entry.js';

interface HistoryEntryViewProps {
  entry: HistoryEntry;
  /** Shows which object the entry is about (the timeline); the editor's panel leaves it out. */
  showRef?: boolean;
  onOpen?: () => void;
  /** Present on entries that can be restored; `restoreBlocked` says why one cannot. */
  onRestore?: () => void;
  restoreBlocked?: string | null;
}

function refLabel({ ref }: HistoryEntry): string {
  return `${ref.resource}${ref.group ? `.${ref.group}` : ''} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} (${ref.context})`;
}

function versions({ fromResourceVersion, toResourceVersion }: HistoryEntry): string | null {
  if (fromResourceVersion === undefined && toResourceVersion === undefined) return null;
  return `rv ${fromResourceVersion ?? '?'} → ${toResourceVersion ?? '?'}`;
}

/** One history entry: who, what became of it, which object, and on demand its field changes. */
export function HistoryEntryView({ entry, showRef = false, onOpen, onRestore, restoreBlocked = null }: HistoryEntryViewProps) {
  const [open, setOpen] = useState(false);
  const rv = versions(entry);
  return (
    <li className="history-entry" data-testid="history-entry" data-outcome={entry.outcome} data-actor={entry.actor} data-id={entry.id}>
      <div className="history-entry-head">
        <time dateTime={new Date(entry.at).toISOString()}>{new Date(entry.at).toLocaleString()}</time>
        <strong>{entry.actor}</strong>
        <span className={`history-outcome history-outcome-${entry.outcome}`}>{entry.outcome}</span>
        {entry.outside && <span className="muted">outside Tandem ({entry.action})</span>}
        {showRef && <span>{refLabel(entry)}</span>}
        {rv !== null && <span className="muted">{rv}</span>}
        <span className="header-spacer" />
        <button type="button" data-testid="history-entry-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide changes' : `Changes (${entry.changes.length})`}
        </button>
        {onOpen && (
          <button type="button" data-testid="history-open" onClick={onOpen}>
            Open in editor
          </button>
        )}
        {onRestore && (
          <button type="button" data-testid="history-restore" disabled={restoreBlocked !== null} title={restoreBlocked ?? 'Put the fields this save changed back into the editor as an unsaved edit; Save writes them'} onClick={onRestore}>
            Restore this version
          </button>
        )}
      </div>
      {entry.error && (
        <p className="notice notice-error" data-testid="history-error">
          {entry.error.code !== undefined ? `${entry.error.code}: ` : ''}
          {entry.error.message}
        </p>
      )}
      {open && (
        <ul className="history-diff" data-testid="history-diff">
          {entry.changes.length === 0 && <li className="muted">No field changes recorded</li>}
          {entry.changes.map((change) => (
            <li key={change.path} data-testid="history-change" data-path={change.path} data-op={change.op}>
              <code>{change.path}</code>{' '}
              <span>{describeChange(change)}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
