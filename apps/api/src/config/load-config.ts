import { resolve } from 'node:path';
import { environmentSchema, type AppConfig, type AuthConfig, type InClusterConfig, type InClusterMode, type RedisTarget } from './config.schema.js';
import { isLoopbackHost } from './loopback.js';
import { AdmissionConfigError, admissionFrom, type AdmissionConfig } from './admission.schema.js';
import { limitsFrom } from './limits.schema.js';

/** Thrown when the environment cannot be turned into an AppConfig; the message names each bad variable. */
export class InvalidConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new InvalidConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        const given = env[variable];
        return `${variable}=${JSON.stringify(given ?? '')}: ${issue.message}`;
      }),
    );
  }
  const vars = parsed.data;
  return {
    http: { host: vars.HOST, port: vars.PORT, allowedOrigins: vars.TANDEM_ALLOWED_ORIGINS, local: isLoopbackHost(vars.HOST) },
    sandbox: {
      enabled: vars.TANDEM_SANDBOX === 'on',
      port: vars.TANDEM_SANDBOX_PORT,
      kubeconfigPath: resolve(vars.TANDEM_SANDBOX_KUBECONFIG),
    },
    kubeconfig: vars.KUBECONFIG,
    contexts: { reconcileMs: vars.TANDEM_KUBECONFIG_RECONCILE_MS, probeIntervalMs: vars.TANDEM_CONTEXT_PROBE_MS },
    inCluster: inClusterConfig(vars.TANDEM_IN_CLUSTER, vars.TANDEM_SERVICE_ACCOUNT_DIR, vars.KUBERNETES_SERVICE_HOST, vars.KUBERNETES_SERVICE_PORT),
    redis: redisTarget(vars.REDIS_URL, vars.REDIS_SENTINELS, vars.REDIS_SENTINEL_MASTER, vars.REDIS_SENTINEL_PASSWORD),
    redisPrefix: vars.TANDEM_REDIS_PREFIX,
    redisReplicaAckMs: vars.TANDEM_REDIS_REPLICA_ACK_MS,
    collab: {
      leaseTtlMs: vars.TANDEM_LEASE_TTL_MS,
      presenceTtlMs: vars.TANDEM_PRESENCE_TTL_MS,
      presenceHeartbeatMs: vars.TANDEM_PRESENCE_HEARTBEAT_MS,
      sweepMs: vars.TANDEM_COLLAB_SWEEP_MS,
    },
    logLevel: vars.LOG_LEVEL,
    webDist: resolve(vars.TANDEM_WEB_DIST),
    admins: vars.TANDEM_ADMINS,
    history: { maxEntries: vars.TANDEM_HISTORY_MAX_ENTRIES, maxEntriesPerResource: vars.TANDEM_HISTORY_MAX_ENTRIES_PER_RESOURCE, maxAgeMs: vars.TANDEM_HISTORY_MAX_AGE_MS },
    limits: limitsFrom(vars),
    auth: authConfig(vars),
    admission: admissionConfig(vars),
  };
}

type Vars = ReturnType<typeof environmentSchema.parse>;

function admissionConfig(vars: Vars): AdmissionConfig {
  try {
    return admissionFrom(vars);
  } catch (error) {
    if (error instanceof AdmissionConfigError) throw new InvalidConfigError([error.message]);
    throw error;
  }
}

/** The sign-in settings, refusing combinations that cannot work (or would expose the cluster). */
function authConfig(vars: Vars): AuthConfig {
  const problems: string[] = [];
  const mode = vars.TANDEM_AUTH;
  if (mode === 'dev' && !isLoopbackHost(vars.HOST) && vars.TANDEM_DEV_AUTH_FORCE !== 'on') {
    problems.push(
      `TANDEM_AUTH=dev: anyone who reaches HOST=${vars.HOST} could type any name and act with the gateway's own cluster credentials; listen on 127.0.0.1, choose a sign-in mode (oidc, token, proxy), or set TANDEM_DEV_AUTH_FORCE=on if this network is yours alone`,
    );
  }
  if (mode === 'oidc') {
    for (const name of ['TANDEM_OIDC_ISSUER', 'TANDEM_OIDC_CLIENT_ID'] as const) {
      if (vars[name] === undefined) problems.push(`${name}: required with TANDEM_AUTH=oidc`);
    }
  }
  if (mode === 'proxy' && vars.TANDEM_TRUSTED_PROXIES.length === 0) {
    problems.push('TANDEM_TRUSTED_PROXIES: required with TANDEM_AUTH=proxy (the addresses of the authenticating proxies, e.g. 10.0.0.5,::1)');
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return {
    mode,
    devForced: vars.TANDEM_DEV_AUTH_FORCE === 'on',
    sessionSecret: vars.TANDEM_SESSION_SECRET,
    sessionTtlMs: vars.TANDEM_SESSION_TTL_MS,
    publicUrl: vars.TANDEM_PUBLIC_URL,
    oidc: {
      issuer: vars.TANDEM_OIDC_ISSUER,
      clientId: vars.TANDEM_OIDC_CLIENT_ID,
      clientSecret: vars.TANDEM_OIDC_CLIENT_SECRET,
      scopes: vars.TANDEM_OIDC_SCOPES,
      userClaim: vars.TANDEM_OIDC_USER_CLAIM,
      groupsClaim: vars.TANDEM_OIDC_GROUPS_CLAIM,
    },
    tokenContext: vars.TANDEM_TOKEN_CONTEXT,
    proxy: { trusted: vars.TANDEM_TRUSTED_PROXIES, userHeader: vars.TANDEM_PROXY_USER_HEADER, groupsHeader: vars.TANDEM_PROXY_GROUPS_HEADER },
    adminGroups: vars.TANDEM_ADMIN_GROUPS,
    accessCacheMs: vars.TANDEM_ACCESS_CACHE_MS,
  };
}

/** Sentinels, when listed, decide which Redis is the primary; REDIS_URL then only carries credentials and TLS. */
function redisTarget(
  url: string | undefined,
  sentinels: readonly { host: string; port: number }[] | undefined,
  master: string,
  sentinelPassword: string | undefined,
): RedisTarget | undefined {
  if (sentinels !== undefined) return { kind: 'sentinel', sentinels, master, url, sentinelPassword };
  return url === undefined ? undefined : { kind: 'url', url };
}

/** Kubernetes sets both service variables in every Pod; `on` without them is a mistake worth stopping for. */
function inClusterConfig(mode: InClusterMode, serviceAccountDir: string, serviceHost: string | undefined, servicePort: string | undefined): InClusterConfig {
  if (mode === 'on' && (serviceHost === undefined || servicePort === undefined)) {
    throw new InvalidConfigError(['TANDEM_IN_CLUSTER="on": needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, which Kubernetes sets in every Pod']);
  }
  return { mode, serviceAccountDir: resolve(serviceAccountDir), serviceHost, servicePort };
}
