import type { ConnectionState } from '@tandem/sync/client';
import { useConnection } from '../hooks/useTandemClient.js';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Live status of the socket to the gateway: pushes (other people's changes) only arrive while connected. */
export function ConnectionIndicator() {
  const { state } = useConnection();
  return (
    <span className={`connection connection-${state}`} data-testid="connection-indicator" data-state={state} role="status">
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
