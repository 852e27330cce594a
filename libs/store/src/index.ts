export {
  StoreArgumentError,
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
