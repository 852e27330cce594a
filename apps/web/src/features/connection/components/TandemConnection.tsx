import { useQueryClient } from '@tanstack/react-query';
import { TandemClient, type ConnectionState } from '@tandem/sync/client';
import { useEffect, useState, type ReactNode } from 'react';
import { ConnectionContext, type Connection } from '../hooks/useTandemClient.js';

interface TandemConnectionProps {
  user: string;
  /** Dev sign-in names the user in the handshake; every other mode's gateway knows it from the session cookie. */
  announceUser: boolean;
  children: ReactNode;
}

/** Opens one socket to the gateway for the signed-in user and shares it with everything below. */
export function TandemConnection({ user, announceUser, children }: TandemConnectionProps) {
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<Connection | null>(null);

  useEffect(() => {
    const client = new TandemClient(announceUser ? { user } : {});
    let epoch = 0;
    const publish = (state: ConnectionState) => setConnection({ client, state, epoch });
    publish(client.state);
    const stopState = client.onState((state) => {
      if (state === 'connected') {
        epoch += 1;
        // Pushes sent while the socket was down are lost: refetch what the server owns.
        if (epoch > 1) void queryClient.invalidateQueries();
      }
      publish(state);
    });
    return () => {
      stopState();
      client.close();
    };
  }, [user, announceUser, queryClient]);

  if (connection === null) return null;
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}
