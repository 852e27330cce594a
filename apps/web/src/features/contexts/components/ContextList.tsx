import { useEffect } from 'react';
import { uiStore, useUi } from '../../../state/ui-store.js';
import { QueryState } from '../../../components/QueryState.js';
import { useContexts } from '../hooks/useContexts.js';

/** The clusters the gateway can reach, live; picks the first one when nothing is selected. */
export function ContextList() {
  const contexts = useContexts();
  const selected = useUi((s) => s.context);
  const first = contexts.data?.[0]?.name;
  useEffect(() => {
    if (selected === null && first !== undefined) uiStore.getState().selectContext(first);
  }, [selected, first]);

  return (
    <nav aria-label="Contexts" className="sidebar-section">
      <h2>Contexts</h2>
      <QueryState isPending={contexts.isPending} error={contexts.error} what="contexts" testId="context-list" />
      {contexts.data && contexts.data.length === 0 && <p className="notice">No contexts: set KUBECONFIG or enable the sandbox.</p>}
      {contexts.data && contexts.data.length > 0 && (
        <ul data-testid="context-list">
          {contexts.data.map((context) => (
            <li key={context.name} data-testid={`context-${context.name}`} data-status={context.status}>
              <button
                type="button"
                aria-pressed={context.name === selected}
                title={`${context.server} (${context.source})`}
                onClick={() => uiStore.getState().selectContext(context.name)}
              >
                <span className={`status-dot status-${context.status}`} aria-hidden="true" />
                {context.name}
              </button>
              {context.status !== 'ok' && (
                <p className="notice notice-error context-error" data-testid={`context-${context.name}-error`}>
                  {context.status === 'degraded' ? 'Degraded' : 'Unreachable'}
                  {context.error ? `: ${context.error}` : ''}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
