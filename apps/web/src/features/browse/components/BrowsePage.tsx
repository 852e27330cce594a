import { lazy, Suspense, useEffect } from 'react';
import { useUi } from '../../../state/ui-store.js';
import { BrowseSidebar } from './BrowseSidebar.js';
import { ResourceList } from './ResourceList.js';

// Monaco is most of the bundle: it must not delay the sidebar, so it is a separate chunk that
// starts downloading once the page is idle, and is usually there by the time a tab opens.
const loadEditorArea = () => import('../../editor/components/EditorArea.js');
const EditorArea = lazy(() => loadEditorArea().then((m) => ({ default: m.EditorArea })));

function usePrefetchEditor(): void {
  useEffect(() => {
    const prefetch = () => void loadEditorArea();
    if (typeof window.requestIdleCallback === 'function') {
      const handle = window.requestIdleCallback(prefetch, { timeout: 1_000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = window.setTimeout(prefetch, 200);
    return () => window.clearTimeout(timer);
  }, []);
}

export function BrowsePage() {
  usePrefetchEditor();
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
