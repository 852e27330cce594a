import type { ConnectionState, TandemClient } from '@tandem/sync/client';
import { createContext, useContext } from 'react';

export interface Connection {
  readonly client: TandemClient;
  readonly state: ConnectionState;
  /**
   * Counts connects: the gateway forgets a socket's rooms when it drops, so subscriptions
   * (list:watch, resource:join) re-run whenever this changes.
   */
  readonly epoch: number;
}

export const ConnectionContext = createContext<Connection | null>(null);

export function useConnection(): Connection {
  const connection = useContext(ConnectionContext);
  if (connection === null) throw new Error('useConnection() needs a <TandemConnection> above it');
  return connection;
}

export function useTandemClient(): TandemClient {
  return useConnection().client;
}
