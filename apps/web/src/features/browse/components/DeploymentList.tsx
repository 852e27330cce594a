import { useDeployments } from '../hooks/useDeployments.js';
import { QueryState } from './QueryState.js';

interface DeploymentListProps {
  context: string;
  namespace: string;
}

export function DeploymentList({ context, namespace }: DeploymentListProps) {
  const deployments = useDeployments(context, namespace);
  return (
    <section aria-label="Deployments">
      <h2>Deployments in {namespace}</h2>
      <QueryState isPending={deployments.isPending} error={deployments.error} what="deployments" testId="deployment-list" />
      {deployments.data && deployments.data.length === 0 && <p className="notice" data-testid="deployment-list-empty">No Deployments in {namespace}.</p>}
      {deployments.data && deployments.data.length > 0 && (
        <ul data-testid="deployment-list">
          {deployments.data.map(({ metadata }) => (
            <li key={metadata.name} data-testid={`deployment-${metadata.name}`}>
              {metadata.name}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
