import { useUi } from '../../../state/ui-store.js';
import { ContextList } from '../../contexts/components/ContextList.js';
import { KindList } from './KindList.js';
import { NamespaceList } from './NamespaceList.js';

/** Contexts, then the selected context's namespaces and kinds. */
export function BrowseSidebar() {
  const context = useUi((s) => s.context);
  return (
    <aside className="sidebar">
      <ContextList />
      {context !== null && (
        <>
          <NamespaceList key={`ns-${context}`} context={context} />
          <KindList key={`kinds-${context}`} context={context} />
        </>
      )}
    </aside>
  );
}
