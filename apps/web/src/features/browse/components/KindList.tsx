import { uiStore, useUi } from '../../../state/ui-store.js';
import { useApiResources } from '../hooks/useApiResources.js';
import { QueryState } from '../../../components/QueryState.js';

interface KindListProps {
  context: string;
}

/** The kinds the cluster serves, grouped by API group. */
export function KindList({ context }: KindListProps) {
  const groups = useApiResources(context);
  const selected = useUi((s) => s.kind);
  return (
    <nav aria-label="Kinds" className="sidebar-section">
      <h2>Kinds</h2>
      <QueryState isPending={groups.isPending} error={groups.error} what="kinds" testId="kind-list" />
      {groups.data?.map(({ group, resources }) => (
        <section key={group} aria-label={`API group ${group}`} className="kind-group">
          <h3>{group}</h3>
          <ul>
            {resources.map((r) => {
              const id = `${group}-${r.version}-${r.resource}`;
              const isSelected = selected !== null && selected.group === r.group && selected.version === r.version && selected.resource === r.resource;
              return (
                <li key={id}>
                  <button
                    type="button"
                    aria-pressed={isSelected}
                    data-testid={`kind-${id}`}
                    title={`${r.resource}.${group}/${r.version}${r.shortNames.length > 0 ? ` (${r.shortNames.join(', ')})` : ''}`}
                    onClick={() => uiStore.getState().selectKind({ group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced })}
                  >
                    {r.kind}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </nav>
  );
}
