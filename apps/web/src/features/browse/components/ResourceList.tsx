import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { uiStore, type SelectedKind } from '../../../state/ui-store.js';
import { kindSchemaQuery } from '../../editor/hooks/useKindSchema.js';
import { Avatar } from '../../presence/components/Avatar.js';
import { usePresenceSummary } from '../../presence/hooks/usePresenceSummary.js';
import { usersOn } from '../../presence/state/presence.js';
import { useResourceList } from '../hooks/useResourceList.js';
import { listRef } from '../state/list-ref.js';
import { QueryState } from '../../../components/QueryState.js';

interface ResourceListProps {
  context: string;
  kind: SelectedKind;
  namespace: string | null;
}

/** The objects of the selected kind, live; clicking one opens it in an editor tab. */
export function ResourceList({ context, kind, namespace }: ResourceListProps) {
  const scope = kind.namespaced ? namespace : null;
  const list = useResourceList(listRef(context, kind.group, kind.version, kind.resource, scope));
  const where = !kind.namespaced ? '(cluster-wide)' : scope === null ? 'in all namespaces' : `in ${scope}`;
  const items = list.data?.items;
  const presence = usePresenceSummary(context);
  const queryClient = useQueryClient();
  // The kind's schema is small and needed by any editor opened from here: fetch it alongside the list.
  useEffect(() => {
    void queryClient.prefetchQuery(kindSchemaQuery(context, kind.group, kind.version, kind.kind));
  }, [queryClient, context, kind.group, kind.version, kind.kind]);
  return (
    <section aria-label={`${kind.kind} list`} className="resource-list">
      <h2>
        {kind.kind} {where}
      </h2>
      <QueryState isPending={list.isPending} error={list.error} what={kind.resource} testId="resource-list" />
      {list.liveError && (
        <p className="notice notice-warning" data-testid="resource-list-live-error">
          Live updates are off for this list: {list.liveError}
        </p>
      )}
      {items && items.length === 0 && (
        <p className="notice" data-testid="resource-list-empty">
          No {kind.kind} objects {where}.
        </p>
      )}
      {items && items.length > 0 && (
        <ul data-testid="resource-list">
          {items.map(({ metadata }) => (
            <li key={`${metadata.namespace ?? ''}/${metadata.name}`} data-resource-version={metadata.resourceVersion}>
              <button
                type="button"
                data-testid={`resource-${metadata.name}`}
                onClick={() =>
                  uiStore.getState().openResource(
                    {
                      context,
                      group: kind.group,
                      version: kind.version,
                      resource: kind.resource,
                      name: metadata.name,
                      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
                    },
                    kind.kind,
                  )
                }
              >
                {metadata.name}
                {scope === null && metadata.namespace && <span className="muted"> · {metadata.namespace}</span>}
              </button>
              <span className="resource-presence" data-testid={`resource-presence-${metadata.name}`}>
                {usersOn(presence, { ...kind, name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}) }).map((u) => (
                  <Avatar key={u.user} user={u.user} color={u.color} compact />
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
