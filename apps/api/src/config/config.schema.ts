import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { admissionEnvironmentShape, type AdmissionConfig } from './admission.schema.js';
import { count } from './env-values.js';
import { limitsEnvironmentShape, type Limits } from './limits.schema.js';

/** The built web app sits beside the gateway in the workspace: apps/api/dist -> apps/web/dist. */
const defaultWebDist = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number between 0 and 65535')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(0, 'must be at least 0').max(65535, 'must be at most 65535'));

/** Empty variables count as unset, as a shell `FOO= npm start` means "no value". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const milliseconds = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(100, 'must be at least 100'));

/** Comma-separated origins (`scheme://host[:port]`), each normalised as a browser sends it in `Origin`. */
const originList = z
  .string()
  .default('')
  .transform((list, ctx) => {
    const origins: string[] = [];
    for (const entry of list.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== entry.replace(/\/$/, '')) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not an origin such as https://tandem.example.com or http://localhost:4280 (scheme, host and port only)` });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return origins;
  });

/** Comma-separated `host:port` addresses (Redis Sentinels), at least one when set. */
const hostPortList = optionalText.transform((list, ctx) => {
  if (list === undefined) return undefined;
  const addresses: { host: string; port: number }[] = [];
  for (const entry of list.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (match?.[1] === undefined || !(port >= 1 && port <= 65535)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host:port address such as redis-sentinel-0:26379` });
      return z.NEVER;
    }
    addresses.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return addresses.length === 0 ? undefined : addresses;
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const AUTH_MODES = ['dev', 'oidc', 'token', 'proxy'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

const commaList = z
  .string()
  .default('')
  .transform((list) => list.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''));
export const IN_CLUSTER_MODES = ['auto', 'on', 'off'] as const;
/** Where a Pod finds its ServiceAccount's token, CA and namespace. */
export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * How long a store command may wait for Redis, connected or not, before it fails: a request that
 * needs the store then answers `unavailable` instead of hanging while Redis is down or cut off.
 */
export const STORE_COMMAND_TIMEOUT_MS = 2_000;

/** The longest replica wait: a WAIT is a store command too, and needs room within its timeout. */
const MAX_REPLICA_ACK_MS = STORE_COMMAND_TIMEOUT_MS - 500;

export const environmentSchema = z.object({
  PORT: port(4280),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  TANDEM_ALLOWED_ORIGINS: originList,
  TANDEM_SANDBOX: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  TANDEM_SANDBOX_PORT: port(0),
  TANDEM_SANDBOX_KUBECONFIG: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .default(join(tmpdir(), 'tandem', 'sandbox.kubeconfig')),
  KUBECONFIG: optionalText,
  TANDEM_KUBECONFIG_RECONCILE_MS: milliseconds(5_000),
  TANDEM_CONTEXT_PROBE_MS: milliseconds(10_000),
  REDIS_URL: optionalText.pipe(
    z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional(),
  ),
  REDIS_SENTINELS: hostPortList,
  REDIS_SENTINEL_MASTER: z.string().trim().regex(/^[^\s]+$/, 'must be a name without spaces').default('mymaster'),
  /** Password of the Sentinels themselves, when they require one (the data nodes' password goes in REDIS_URL). */
  REDIS_SENTINEL_PASSWORD: optionalText,
  TANDEM_REDIS_REPLICA_ACK_MS: milliseconds(500).pipe(
    z.number().max(MAX_REPLICA_ACK_MS, `must be at most ${MAX_REPLICA_ACK_MS} (a store command gives up after ${STORE_COMMAND_TIMEOUT_MS} ms)`),
  ),
  TANDEM_REDIS_PREFIX: z.string().trim().regex(/^[^{}\s]+$/, 'must be non-empty, without spaces, "{" or "}"').default('tandem'),
  TANDEM_IN_CLUSTER: z.enum(IN_CLUSTER_MODES, { error: 'must be "auto", "on" or "off"' }).default('auto'),
  TANDEM_SERVICE_ACCOUNT_DIR: z.string().trim().min(1, 'must not be empty').default(DEFAULT_SERVICE_ACCOUNT_DIR),
  KUBERNETES_SERVICE_HOST: optionalText,
  KUBERNETES_SERVICE_PORT: optionalText.pipe(z.string().regex(/^\d{1,5}$/, 'must be a port number').optional()),
  TANDEM_LEASE_TTL_MS: milliseconds(15_000),
  TANDEM_PRESENCE_TTL_MS: milliseconds(25_000),
  TANDEM_PRESENCE_HEARTBEAT_MS: milliseconds(10_000),
  TANDEM_COLLAB_SWEEP_MS: milliseconds(1_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  TANDEM_WEB_DIST: z.string().trim().min(1, 'must not be empty').default(defaultWebDist),
  TANDEM_ADMINS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((user) => user.trim()).filter((user) => user !== '')),
  TANDEM_HISTORY_MAX_ENTRIES: count(100_000),
  TANDEM_HISTORY_MAX_ENTRIES_PER_RESOURCE: count(1_000),
  TANDEM_HISTORY_MAX_AGE_MS: milliseconds(30 * 24 * 3_600_000),
  ...limitsEnvironmentShape,
  TANDEM_AUTH: z.enum(AUTH_MODES, { error: `must be one of ${AUTH_MODES.join(', ')}` }).default('dev'),
  TANDEM_DEV_AUTH_FORCE: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('off'),
  TANDEM_SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  TANDEM_SESSION_TTL_MS: milliseconds(12 * 3_600_000),
  TANDEM_PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  TANDEM_OIDC_ISSUER: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  TANDEM_OIDC_CLIENT_ID: optionalText,
  TANDEM_OIDC_CLIENT_SECRET: optionalText,
  TANDEM_OIDC_SCOPES: z.string().trim().default('openid profile email groups offline_access'),
  TANDEM_OIDC_USER_CLAIM: z.string().trim().min(1).default('preferred_username'),
  TANDEM_OIDC_GROUPS_CLAIM: z.string().trim().min(1).default('groups'),
  TANDEM_TOKEN_CONTEXT: optionalText,
  TANDEM_TRUSTED_PROXIES: commaList,
  TANDEM_PROXY_USER_HEADER: z.string().trim().toLowerCase().min(1).default('x-forwarded-user'),
  TANDEM_PROXY_GROUPS_HEADER: z.string().trim().toLowerCase().min(1).default('x-forwarded-groups'),
  TANDEM_ADMIN_GROUPS: commaList,
  TANDEM_ACCESS_CACHE_MS: milliseconds(10_000),
  ...admissionEnvironmentShape,
});

export type LogLevel = (typeof LOG_LEVELS)[number];
export type InClusterMode = (typeof IN_CLUSTER_MODES)[number];

/**
 * Where the shared store lives: one Redis by URL, or the primary that Redis Sentinel names (the
 * connection follows a failover). `url` carries the data nodes' credentials and TLS in both cases.
 */
export type RedisTarget =
  | { readonly kind: 'url'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly { readonly host: string; readonly port: number }[];
      readonly master: string;
      readonly url: string | undefined;
      readonly sentinelPassword: string | undefined;
    };

/**
 * The cluster the gateway runs in, reached through its Pod's ServiceAccount: `mode` as configured,
 * the directory holding `token`, `ca.crt` and `namespace`, and the API server's address from the
 * variables Kubernetes sets in every Pod.
 */
export interface InClusterConfig {
  readonly mode: InClusterMode;
  readonly serviceAccountDir: string;
  readonly serviceHost: string | undefined;
  readonly servicePort: string | undefined;
}

/** Gateway settings, read once at boot; everything else receives this object, never `process.env`. */
export interface AppConfig {
  readonly http: {
    readonly host: string;
    readonly port: number;
    /**
     * Origins whose pages may open a socket or make a state-changing request (`TANDEM_ALLOWED_ORIGINS`);
     * empty: only the gateway's own origin (the page's Origin names the Host it was sent to).
     */
    readonly allowedOrigins: readonly string[];
    /** Listening on loopback only: then the Host header must name a loopback host too (no DNS rebinding). */
    readonly local: boolean;
  };
  readonly sandbox: { readonly enabled: boolean; readonly port: number; readonly kubeconfigPath: string };
  /** The user's own kubeconfig files (`KUBECONFIG` list), when set. */
  readonly kubeconfig: string | undefined;
  /** How often kubeconfig files are re-read in case a change event was missed, and contexts probed again. */
  readonly contexts: { readonly reconcileMs: number; readonly probeIntervalMs: number };
  /** The in-cluster context (`TANDEM_IN_CLUSTER`). */
  readonly inCluster: InClusterConfig;
  /** The shared store's Redis (`REDIS_URL`, or `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER`); undefined: in process. */
  readonly redis: RedisTarget | undefined;
  /** Namespace of every Redis key (store and socket.io adapter), so deployments or test runs can share one Redis. */
  readonly redisPrefix: string;
  /** Behind Sentinel, how long a lease grant or history entry waits for every replica to confirm it (`TANDEM_REDIS_REPLICA_ACK_MS`). */
  readonly redisReplicaAckMs: number;
  /** Lease and presence timing: TTLs, how often a gateway refreshes its sessions, and how often it sweeps lapsed ones. */
  readonly collab: { readonly leaseTtlMs: number; readonly presenceTtlMs: number; readonly presenceHeartbeatMs: number; readonly sweepMs: number };
  readonly logLevel: LogLevel;
  readonly webDist: string;
  /** Dev mode only: users allowed to read the edit history (`TANDEM_ADMINS`, comma-separated typed-in names). */
  readonly admins: readonly string[];
  readonly auth: AuthConfig;
  /** Edit history retention: entries overall, per resource, and their age. */
  readonly history: { readonly maxEntries: number; readonly maxEntriesPerResource: number; readonly maxAgeMs: number };
  /** Quotas per socket and rate limits per user (docs/security.md). */
  readonly limits: Limits;
  /** The validating admission webhook that makes leases hold for every client (docs/security.md). */
  readonly admission: AdmissionConfig;
}

/** How people sign in, and how the gateway reaches the cluster as them (docs/security.md). */
export interface AuthConfig {
  readonly mode: AuthMode;
  /** dev mode on a non-loopback HOST, explicitly allowed (`TANDEM_DEV_AUTH_FORCE=on`). */
  readonly devForced: boolean;
  /** Encrypts session cookies; every gateway of one deployment needs the same one. Random per process when unset. */
  readonly sessionSecret: string | undefined;
  readonly sessionTtlMs: number;
  /** The address people open (for the OIDC redirect); default http://<host>:<port>. */
  readonly publicUrl: string | undefined;
  readonly oidc: {
    readonly issuer: string | undefined;
    readonly clientId: string | undefined;
    readonly clientSecret: string | undefined;
    readonly scopes: string;
    readonly userClaim: string;
    readonly groupsClaim: string;
  };
  /** token mode: the context whose API server reviews the tokens people sign in with. */
  readonly tokenContext: string | undefined;
  readonly proxy: { readonly trusted: readonly string[]; readonly userHeader: string; readonly groupsHeader: string };
  /** Members of these groups may read every context's edit history. */
  readonly adminGroups: readonly string[];
  /** How long an access review's answer is reused. */
  readonly accessCacheMs: number;
}
