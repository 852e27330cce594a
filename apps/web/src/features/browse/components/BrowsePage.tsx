import { lazy, Suspense } from 'react';
import { useUi } from '../../../state/ui-store.js';
import { BrowseSidebar } from './BrowseSidebar.js';
import { ResourceList } from './ResourceList.js';

// Monaco is most of the bundle: load it when the first tab opens, not before the sidebar shows.
const EditorArea = lazy(() => import('../../editor/components/EditorArea.js').then((m) => ({ default: m.EditorArea })));

export function BrowsePage() {
  const hasTabs = useUi((s) => s.tabs.length > 0);
  const context = useUi((s) => s.context);
  const kind = useUi((s) => s.kind);
  const namespace = useUi((s) => s.namespace);
  return (
    <div className="browse">
      <BrowseSidebar />
      <div className="browse-main">
        {context !== null && kind !== null ? (
          <ResourceList context={context} kind={kind} namespace={namespace} />
        ) : (
          <p className="notice" data-testid="resource-list-hint">
            Pick a kind on the left to list its objects.
          </p>
        )}
        {hasTabs && (
          <Suspense fallback={<p className="notice">Loading the editor…</p>}>
            <EditorArea />
          </Suspense>
        )}
      </div>
    </div>
  );
}
