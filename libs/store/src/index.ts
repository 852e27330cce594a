export { StoreArgumentError } from './errors.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export {
  type LeaseGrant,
  type LeaseRelease,
  type LeaseRenewal,
  type LeaseRequest,
  type LeaseStore,
  type PresenceEntry,
  type PresenceStore,
  type Store,
} from './ports.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { createRedisStore, StoreDataError, type RedisStoreOptions } from './redis-store.js';
export {
  DEFAULT_HISTORY_RETENTION,
  HISTORY_ACTIONS,
  HISTORY_OUTCOMES,
  MAX_HISTORY_PAGE,
  type HistoryAction,
  type HistoryEntry,
  type HistoryFilter,
  type HistoryOutcome,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRecord,
  type HistoryRetention,
  type HistoryStore,
} from './history-ports.js';
export { MemoryHistoryStore } from './history-memory.js';
export { HistoryDataError, RedisHistoryStore } from './history-redis.js';
