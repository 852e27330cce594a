import { uiStore, useUi } from '../../../state/ui-store.js';
import { useNamespaces } from '../hooks/useNamespaces.js';
import { QueryState } from '../../../components/QueryState.js';

interface NamespaceListProps {
  context: string;
}

export function NamespaceList({ context }: NamespaceListProps) {
  const namespaces = useNamespaces(context);
  const selected = useUi((s) => s.namespace);
  const select = (namespace: string | null) => uiStore.getState().selectNamespace(namespace);
  return (
    <nav aria-label="Namespaces" className="sidebar-section">
      <h2>Namespaces</h2>
      <QueryState isPending={namespaces.isPending} error={namespaces.error} what="namespaces" testId="namespace-list" />
      {namespaces.data && (
        <ul data-testid="namespace-list">
          <li>
            <button type="button" aria-pressed={selected === null} data-testid="namespace-all" onClick={() => select(null)}>
              All namespaces
            </button>
          </li>
          {namespaces.data.map(({ metadata }) => (
            <li key={metadata.name}>
              <button type="button" aria-pressed={metadata.name === selected} data-testid={`namespace-${metadata.name}`} onClick={() => select(metadata.name)}>
                {metadata.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
