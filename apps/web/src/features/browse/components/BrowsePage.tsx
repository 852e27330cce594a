import { useState } from 'react';
import { DeploymentList } from './DeploymentList.js';
import { NamespaceList } from './NamespaceList.js';

/** The sandbox's context name, as the gateway lists it. */
export const SANDBOX_CONTEXT = 'tandem-sandbox';
const DEFAULT_NAMESPACE = 'shop';

export function BrowsePage() {
  const [namespace, setNamespace] = useState(DEFAULT_NAMESPACE);
  return (
    <div className="browse">
      <NamespaceList context={SANDBOX_CONTEXT} selected={namespace} onSelect={setNamespace} />
      <DeploymentList context={SANDBOX_CONTEXT} namespace={namespace} />
    </div>
  );
}
