import type { Store } from '@tandem/store';
import type { Redis } from 'ioredis';

export interface ReplicaAckOptions {
  /** How long a write waits for the replicas to confirm it before it is answered anyway (with a warning): `TANDEM_REDIS_REPLICA_ACK_MS`. */
  readonly timeoutMs: number;
}

/** A write answered before every online replica held it: a failover now could lose it. */
export interface UnconfirmedWrite {
  /** What was written, for the log: "a lease grant", "an edit history entry". */
  readonly what: string;
  /** Replicas that confirmed the write within `waitedMs`. */
  readonly confirmed: number;
  /** Replicas the primary streamed to when the write was answered. */
  readonly replicas: number;
  /** How long the write waited for them. */
  readonly waitedMs: number;
}

/** The replicas a primary streams to now: `ROLE` lists only those past their initial sync. */
async function onlineReplicas(redis: Redis): Promise<number> {
  const role: unknown = await redis.role();
  return Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0;
}

/**
 * Redis replicates asynchronously: a primary answers a write before any replica has it, and a
 * failover in between loses it. Behind Sentinel, the writes whose loss a user would notice — a lease
 * grant or renewal (its fencing token could be issued again, two sessions could hold one field) and an
 * edit history entry — are followed by `WAIT n` for every replica the primary streams to, so they are
 * answered once each of them holds the write. One replica is not enough: Sentinel promotes the replica
 * it last saw furthest ahead, and under load what it saw can be a second old, so the promoted replica
 * may not be the one that confirmed. WAIT covers every earlier write of the connection, and returns
 * after `timeoutMs` when a replica does not answer: the write is then answered as before
 * (the store stays available with its replicas down) and `onUnconfirmed` is told.
 */
export function withReplicaAcks(
  store: Store,
  redis: Redis,
  onUnconfirmed: (write: UnconfirmedWrite) => void,
  { timeoutMs }: ReplicaAckOptions,
): Store {
  const confirm = async <T>(what: string, result: T): Promise<T> => {
    // With none online (a primary just promoted, its replicas still attaching) one that attaches in time counts.
    const replicas = Math.max(1, await onlineReplicas(redis));
    const confirmed = await redis.wait(replicas, timeoutMs);
    if (confirmed < replicas) onUnconfirmed({ what, confirmed, replicas, waitedMs: timeoutMs });
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

/** The warning a gateway logs for an unconfirmed write; operators grep for its first words. */
export function describeUnconfirmed({ what, confirmed, replicas, waitedMs }: UnconfirmedWrite): string {
  return `${what} was answered before every replica confirmed it (${confirmed} of ${replicas} within ${waitedMs} ms); a failover now could lose it`;
}
