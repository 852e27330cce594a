import type { PresenceSummary } from '@tandem/sync';
import { useEffect, useState } from 'react';
import { useConnection } from '../../connection/hooks/useTandemClient.js';

/**
 * Who has which object of a context open, for avatars in the resource list: asked once per
 * connect (which also subscribes to the context's `presence:summary` pushes), then kept by pushes.
 */
export function usePresenceSummary(context: string): PresenceSummary | undefined {
  const { client, epoch, state } = useConnection();
  const [summary, setSummary] = useState<PresenceSummary | undefined>(undefined);
  useEffect(() => {
    if (state !== 'connected') return;
    let active = true;
    const stop = client.on('presence:summary', (event) => {
      if (active && event.context === context) setSummary(event);
    });
    client.request('presence:summary', { context }).then(
      (result) => active && setSummary(result.summary),
      // Avatars in the list are a nicety: without them the list still works.
      () => undefined,
    );
    return () => {
      active = false;
      stop();
    };
  }, [client, epoch, state, context]);
  return summary?.context === context ? summary : undefined;
}
