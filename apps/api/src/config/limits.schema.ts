import { count as positive } from './env-values.js';

/**
 * Quotas and rate limits (docs/security.md). Rates are per user, shared by every gateway through
 * Redis when it is configured; quotas count what one socket holds at once. The defaults leave a
 * person working in the web app far below every limit and stop a script hammering the gateway.
 */
export const limitsEnvironmentShape = {
  TANDEM_LIMIT_REQUESTS_PER_SECOND: positive(300),
  TANDEM_LIMIT_JOINS_PER_MINUTE: positive(120),
  TANDEM_LIMIT_PRESENCE_PER_SECOND: positive(30),
  TANDEM_LIMIT_LEASES_PER_MINUTE: positive(600),
  TANDEM_LIMIT_SAVES_PER_MINUTE: positive(60),
  TANDEM_LIMIT_HISTORY_PER_MINUTE: positive(300),
  TANDEM_QUOTA_RESOURCES_PER_SOCKET: positive(50),
  TANDEM_QUOTA_LIST_WATCHES_PER_SOCKET: positive(50),
  TANDEM_QUOTA_CONTEXTS_PER_SOCKET: positive(20),
  TANDEM_QUOTA_LEASES_PER_RESOURCE: positive(20),
};

type LimitVariables = { readonly [K in keyof typeof limitsEnvironmentShape]: number };

/** How much one user (rates) and one socket (quotas) may ask of the gateway. */
export interface Limits {
  /** Requests of any kind, per socket and second (a flood guard, above every rate below). */
  readonly requestsPerSecond: number;
  /** `resource:join`, `list:watch` and `presence:summary`, per user and minute. */
  readonly joinsPerMinute: number;
  /** `presence:update`, per user and second (the web app sends at most ~12 a second). */
  readonly presencePerSecond: number;
  /** `lock:acquire`, per user and minute. */
  readonly leasesPerMinute: number;
  /** `resource:save` (dry runs included), per user and minute. */
  readonly savesPerMinute: number;
  /** Edit history queries (`/api/history`), per user and minute. */
  readonly historyPerMinute: number;
  /** Resources one socket has joined at once. */
  readonly resourcesPerSocket: number;
  /** Lists one socket watches at once. */
  readonly listWatchesPerSocket: number;
  /** Contexts whose presence summary one socket follows at once. */
  readonly contextsPerSocket: number;
  /** Leases one session holds on one resource at once. */
  readonly leasesPerResource: number;
}

export function limitsFrom(vars: LimitVariables): Limits {
  return {
    requestsPerSecond: vars.TANDEM_LIMIT_REQUESTS_PER_SECOND,
    joinsPerMinute: vars.TANDEM_LIMIT_JOINS_PER_MINUTE,
    presencePerSecond: vars.TANDEM_LIMIT_PRESENCE_PER_SECOND,
    leasesPerMinute: vars.TANDEM_LIMIT_LEASES_PER_MINUTE,
    savesPerMinute: vars.TANDEM_LIMIT_SAVES_PER_MINUTE,
    historyPerMinute: vars.TANDEM_LIMIT_HISTORY_PER_MINUTE,
    resourcesPerSocket: vars.TANDEM_QUOTA_RESOURCES_PER_SOCKET,
    listWatchesPerSocket: vars.TANDEM_QUOTA_LIST_WATCHES_PER_SOCKET,
    contextsPerSocket: vars.TANDEM_QUOTA_CONTEXTS_PER_SOCKET,
    leasesPerResource: vars.TANDEM_QUOTA_LEASES_PER_RESOURCE,
  };
}
