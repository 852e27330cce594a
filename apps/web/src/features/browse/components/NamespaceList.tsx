import { useNamespaces } from '../hooks/useNamespaces.js';
import { QueryState } from './QueryState.js';

interface NamespaceListProps {
  context: string;
  selected: string;
  onSelect: (namespace: string) => void;
}

export function NamespaceList({ context, selected, onSelect }: NamespaceListProps) {
  const namespaces = useNamespaces(context);
  return (
    <nav aria-label="Namespaces">
      <h2>Namespaces</h2>
      <QueryState isPending={namespaces.isPending} error={namespaces.error} what="namespaces" testId="namespace-list" />
      {namespaces.data && (
        <ul data-testid="namespace-list">
          {namespaces.data.map(({ metadata }) => (
            <li key={metadata.name}>
              <button
                type="button"
                aria-pressed={metadata.name === selected}
                data-testid={`namespace-${metadata.name}`}
                onClick={() => onSelect(metadata.name)}
              >
                {metadata.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
