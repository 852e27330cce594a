import { uiStore, useUi } from '../../../state/ui-store.js';
import { ResourceEditor } from './ResourceEditor.js';

/** Open objects as tabs; every tab stays mounted so switching never drops unsaved text. */
export function EditorArea() {
  const tabs = useUi((s) => s.tabs);
  const activeTab = useUi((s) => s.activeTab);
  if (tabs.length === 0) return null;
  return (
    <section className="editor-area" aria-label="Open resources">
      <div role="tablist" className="editor-tabs">
        {tabs.map((tab) => (
          <div key={tab.key} className="editor-tab" data-active={tab.key === activeTab}>
            <button type="button" role="tab" aria-selected={tab.key === activeTab} data-testid={`editor-tab-${tab.ref.name}`} title={tab.key} onClick={() => uiStore.getState().activateTab(tab.key)}>
              {tab.kind}/{tab.ref.name}
            </button>
            <button type="button" className="editor-tab-close" aria-label={`Close ${tab.ref.name}`} data-testid={`editor-tab-close-${tab.ref.name}`} onClick={() => uiStore.getState().closeTab(tab.key)}>
              ×
            </button>
          </div>
        ))}
      </div>
      {tabs.map((tab) => (
        <ResourceEditor key={tab.key} tab={tab} visible={tab.key === activeTab} />
      ))}
    </section>
  );
}
