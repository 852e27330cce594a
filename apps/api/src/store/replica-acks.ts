import type { Store } from '@tandem/store';
import type { Redis } from 'ioredis';

/** How long a write waits for a replica to confirm it before it is answered anyway (with a warning). */
export const REPLICA_ACK_TIMEOUT_MS = 500;

/**
 * Redis replicates asynchronously: a primary answers a write before any replica has it, and a
 * failover in between loses it. Behind Sentinel, the writes whose loss a user would notice — a lease
 * grant or renewal (two sessions could then hold one field) and an edit history entry — are followed
 * by `WAIT 1`, so they are answered once a replica holds them too; Sentinel promotes the replica that is
 * furthest ahead, so such a write survives the primary's death. WAIT covers every earlier write of the
 * connection, and returns after `REPLICA_ACK_TIMEOUT_MS` when no replica answers: the write is then
 * answered as before (the store stays available with its replicas down) and `onUnreplicated` is told.
 */
export function withReplicaAcks(store: Store, redis: Redis, onUnreplicated: (what: string) => void): Store {
  const confirm = async <T>(what: string, result: T): Promise<T> => {
    const replicas = await redis.wait(1, REPLICA_ACK_TIMEOUT_MS);
    if (replicas < 1) onUnreplicated(what);
    return result;
  };
  const { leases, history } = store;
  return {
    presence: store.presence,
    close: () => store.close(),
    leases: Object.assign(Object.create(leases) as typeof leases, {
      acquire: async (...args: Parameters<typeof leases.acquire>) => {
        const grant = await leases.acquire(...args);
        return grant.granted ? confirm('a lease grant', grant) : grant;
      },
      renew: async (...args: Parameters<typeof leases.renew>) => {
        const lease = await leases.renew(...args);
        return lease === undefined ? lease : confirm('a lease renewal', lease);
      },
    }),
    history: Object.assign(Object.create(history) as typeof history, {
      append: async (...args: Parameters<typeof history.append>) => confirm('an edit history entry', await history.append(...args)),
      appendOnce: async (...args: Parameters<typeof history.appendOnce>) => {
        const entry = await history.appendOnce(...args);
        return entry === undefined ? entry : confirm('an edit history entry', entry);
      },
    }),
  };
}
