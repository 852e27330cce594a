import { useEffect } from 'react';
import { useUi } from '../../../state/ui-store.js';
import { loadEditorModule, retryEditorModule, useEditorModule } from '../../editor/editor-module.js';
import { BrowseSidebar } from './BrowseSidebar.js';
import { ResourceList } from './ResourceList.js';

// Monaco must not delay the sidebar: its chunk starts downloading once the page is idle, and is
// usually there by the time a tab opens.
function usePrefetchEditor(): void {
  useEffect(() => {
    const prefetch = () => void loadEditorModule();
    if (typeof window.requestIdleCallback === 'function') {
      const handle = window.requestIdleCallback(prefetch, { timeout: 1_000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = window.setTimeout(prefetch, 200);
    return () => window.clearTimeout(timer);
  }, []);
}

/** The open tabs, once the editor chunk is there. */
function EditorAreaSlot() {
  const editor = useEditorModule(true);
  if (editor.status === 'ready') return <editor.module.EditorArea />;
  if (editor.status === 'failed') {
    return (
      <p role="alert" className="notice notice-error" data-testid="editor-load-error">
        The editor could not be loaded: {editor.error}{' '}
        <button type="button" onClick={retryEditorModule}>
          Retry
        </button>
      </p>
    );
  }
  return <p className="notice">Loading the editor…</p>;
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
        {hasTabs && <EditorAreaSlot />}
      </div>
    </div>
  );
}
