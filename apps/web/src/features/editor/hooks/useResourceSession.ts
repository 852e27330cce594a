import { resourceKey, type JsonObject, type Lease, type PresenceSession, type ResourceChanged, type ResourceRef } from '@tandem/sync';
import { useEffect, useState } from 'react';
import { useConnection } from '../../connection/hooks/useTandemClient.js';

/** The version of the object the gateway handed us when we joined it. */
export interface JoinedVersion {
  readonly object: JsonObject;
  readonly resourceVersion: string;
  /** Who had it open, and which fields were leased, when we joined. */
  readonly presence: readonly PresenceSession[];
  readonly leases: readonly Lease[];
}

export type ResourceSession =
  | { readonly phase: 'joining' }
  | { readonly phase: 'failed'; readonly error: string }
  | { readonly phase: 'joined'; readonly joined: JoinedVersion; readonly lastChange: ResourceChanged | null };

/**
 * Joins the resource's room (`resource:join`), which also gives the current object and its
 * resourceVersion, and follows `resource:changed` pushes for it; leaves on unmount. Re-joins after
 * a reconnect, since the gateway forgets the rooms of a dropped socket.
 */
export function useResourceSession(ref: ResourceRef): ResourceSession {
  const { client, epoch, state } = useConnection();
  const key = resourceKey(ref);
  const [session, setSession] = useState<ResourceSession>({ phase: 'joining' });

  useEffect(() => {
    if (state !== 'connected') return;
    let active = true;
    const stop = client.on('resource:changed', (event) => {
      if (!active || resourceKey(event.ref) !== key) return;
      setSession((current) => {
        if (current.phase !== 'joined' || event.resourceVersion === current.joined.resourceVersion) return current;
        return { ...current, lastChange: event };
      });
    });
    client.request('resource:join', { ref }).then(
      (result) => {
        if (active) setSession({ phase: 'joined', joined: { object: result.object, resourceVersion: result.resourceVersion, presence: result.presence, leases: result.leases }, lastChange: null });
      },
      (error: unknown) => {
        if (active) setSession({ phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      active = false;
      stop();
      client.request('resource:leave', { ref }).catch(() => undefined);
    };
    // `ref` is identified by `key`; a new object with the same key must not re-join.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, epoch, state, key]);

  return session;
}
