import { useState, type FormEvent } from 'react';
import { GatewayError } from '../../../api/gateway.js';
import { useHistoryAccess } from '../hooks/useHistoryAccess.js';
import { useHistoryTimeline } from '../hooks/useHistory.js';
import { useOpenInEditor } from '../hooks/useOpenInEditor.js';
import { HISTORY_OUTCOMES, NO_FILTERS, type HistoryFilters, type HistoryOutcome } from '../state/history-entry.js';
import { HistoryEntryView } from './HistoryEntryView.js';

const TEXT_FILTERS = [
  ['context', 'Context'],
  ['namespace', 'Namespace'],
  ['resource', 'Resource (plural)'],
  ['name', 'Name'],
  ['user', 'User'],
] as const;

/** The edit history for admins: filters, a timeline newest first with "Load more", and each entry's changes. */
export function HistoryPage() {
  const access = useHistoryAccess();
  if (access === 'checking') return <p className="notice">Checking access to the edit history…</p>;
  if (access === 'forbidden') {
    return (
      <p role="alert" className="notice notice-warning" data-testid="history-forbidden">
        Only admins can see the edit history.
      </p>
    );
  }
  if (access === 'unavailable') {
    return (
      <p role="alert" className="notice notice-error" data-testid="history-error">
        The edit history could not be loaded; is the gateway running?
      </p>
    );
  }
  return <HistoryTimeline />;
}

function HistoryTimeline() {
  const [draft, setDraft] = useState<HistoryFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  const timeline = useHistoryTimeline(filters);
  const openInEditor = useOpenInEditor();
  const [openError, setOpenError] = useState<string | null>(null);
  const entries = timeline.data?.pages.flatMap((page) => page.entries) ?? [];

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  const set = (key: keyof HistoryFilters, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  return (
    <section className="history-page" aria-label="Edit history">
      <form className="history-filters" onSubmit={apply} aria-label="Filter the history">
        {TEXT_FILTERS.map(([key, label]) => (
          <label key={key}>
            {label}
            <input type="text" data-testid={`history-filter-${key}`} value={draft[key]} onChange={(e) => set(key, e.target.value)} />
          </label>
        ))}
        <label>
          Outcome
          <select data-testid="history-filter-outcome" value={draft.outcome} onChange={(e) => set('outcome', e.target.value as HistoryOutcome | '')}>
            <option value="">any</option>
            {HISTORY_OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {outcome}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" data-testid="history-filter-since" value={draft.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label>
          Until
          <input type="datetime-local" data-testid="history-filter-until" value={draft.until} onChange={(e) => set('until', e.target.value)} />
        </label>
        <button type="submit" className="primary" data-testid="history-filter-apply">
          Apply filters
        </button>
        <button
          type="button"
          data-testid="history-filter-clear"
          onClick={() => {
            setDraft(NO_FILTERS);
            setFilters(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </form>
      {timeline.isError && (
        <p role="alert" className="notice notice-error" data-testid="history-error">
          {timeline.error instanceof GatewayError ? timeline.error.message : String(timeline.error)}
        </p>
      )}
      {openError !== null && (
        <p role="alert" className="notice notice-error" data-testid="history-open-error">
          {openError}
        </p>
      )}
      {timeline.isPending ? (
        <p className="notice" data-testid="history-loading">
          Loading the history…
        </p>
      ) : entries.length === 0 && !timeline.isError ? (
        <p className="notice" data-testid="history-empty">
          No entries match these filters.
        </p>
      ) : (
        <ol className="history-timeline" data-testid="history-timeline">
          {entries.map((entry) => (
            <HistoryEntryView
              key={entry.id}
              entry={entry}
              showRef
              onOpen={() => {
                setOpenError(null);
                openInEditor(entry.ref).catch((error: unknown) => setOpenError(`Could not open ${entry.ref.name}: ${error instanceof Error ? error.message : String(error)}`));
              }}
            />
          ))}
        </ol>
      )}
      {timeline.hasNextPage && (
        <button type="button" data-testid="history-load-more" disabled={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
          {timeline.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
