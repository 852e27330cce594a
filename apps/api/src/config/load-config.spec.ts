import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig } from './load-config.js';

describe(loadConfig.name, () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4280, allowedOrigins: [], local: true });
    expect(config.sandbox).toEqual({ enabled: true, port: 0, kubeconfigPath: join(tmpdir(), 'tandem', 'sandbox.kubeconfig') });
    expect(config.redis).toBeUndefined();
    expect(config.kubeconfig).toBeUndefined();
    expect(config.contexts).toEqual({ reconcileMs: 5_000, probeIntervalMs: 10_000 });
    expect(config.logLevel).toBe('info');
    expect(config.webDist).toMatch(/apps[/\\]web[/\\]dist$/);
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      TANDEM_ALLOWED_ORIGINS: 'https://tandem.example.com, http://localhost:4200/',
      TANDEM_SANDBOX: 'off',
      TANDEM_SANDBOX_PORT: '6443',
      TANDEM_SANDBOX_KUBECONFIG: '/tmp/x/sandbox.yaml',
      KUBECONFIG: '/home/me/.kube/config:/home/me/.kube/other',
      TANDEM_KUBECONFIG_RECONCILE_MS: '2000',
      TANDEM_CONTEXT_PROBE_MS: '3000',
      REDIS_URL: 'redis://redis:6379',
      TANDEM_REDIS_REPLICA_ACK_MS: '1200',
      LOG_LEVEL: 'debug',
      TANDEM_WEB_DIST: '/srv/web',
      TANDEM_ADMINS: ' alice, carol ,,',
      TANDEM_HISTORY_MAX_ENTRIES: '5000',
      TANDEM_HISTORY_MAX_ENTRIES_PER_RESOURCE: '50',
      TANDEM_HISTORY_MAX_AGE_MS: '86400000',
      TANDEM_LIMIT_SAVES_PER_MINUTE: '5',
      TANDEM_AUTH: 'proxy',
      TANDEM_TRUSTED_PROXIES: '10.0.0.5, ::1',
      TANDEM_ADMIN_GROUPS: 'ops,platform',
      TANDEM_PUBLIC_URL: 'https://tandem.example.com',
      TANDEM_ADMISSION: 'enforce',
      TANDEM_ADMISSION_HOST: '0.0.0.0',
      TANDEM_ADMISSION_PORT: '8443',
      TANDEM_ADMISSION_CERT_FILE: '/etc/tandem/admission/tls.crt',
      TANDEM_ADMISSION_KEY_FILE: '/etc/tandem/admission/tls.key',
      TANDEM_ADMISSION_URL: 'https://tandem-admission.tandem.svc:443/validate',
      TANDEM_ADMISSION_CONTEXT: 'prod',
      TANDEM_ADMISSION_EXEMPT_USERS: 'deployer, argocd',
      TANDEM_ADMISSION_EXEMPT_GROUPS: 'system:nodes',
      TANDEM_ADMISSION_RESOURCES: 'deployments.apps,configmaps',
      TANDEM_ADMISSION_NAMESPACE_SELECTOR: '{"matchLabels":{"tandem.dev/leases":"on"}}',
      TANDEM_ADMISSION_OBJECT_SELECTOR: '{"matchExpressions":[{"key":"tandem.dev/skip","operator":"DoesNotExist"}]}',
    });
    expect(config).toEqual({
      http: { host: '0.0.0.0', port: 8080, allowedOrigins: ['https://tandem.example.com', 'http://localhost:4200'], local: false },
      sandbox: { enabled: false, port: 6443, kubeconfigPath: '/tmp/x/sandbox.yaml' },
      kubeconfig: '/home/me/.kube/config:/home/me/.kube/other',
      contexts: { reconcileMs: 2_000, probeIntervalMs: 3_000 },
      inCluster: { mode: 'auto', serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount', serviceHost: undefined, servicePort: undefined },
      redis: { kind: 'url', url: 'redis://redis:6379' },
      redisPrefix: 'tandem',
      redisReplicaAckMs: 1200,
      collab: { leaseTtlMs: 15_000, presenceTtlMs: 25_000, presenceHeartbeatMs: 10_000, sweepMs: 1_000 },
      logLevel: 'debug',
      webDist: '/srv/web',
      admins: ['alice', 'carol'],
      history: { maxEntries: 5_000, maxEntriesPerResource: 50, maxAgeMs: 86_400_000 },
      limits: {
        requestsPerSecond: 300,
        joinsPerMinute: 120,
        presencePerSecond: 30,
        leasesPerMinute: 600,
        savesPerMinute: 5,
        historyPerMinute: 300,
        resourcesPerSocket: 50,
        listWatchesPerSocket: 50,
        contextsPerSocket: 20,
        leasesPerResource: 20,
      },
      auth: {
        mode: 'proxy',
        devForced: false,
        sessionSecret: undefined,
        sessionTtlMs: 12 * 3_600_000,
        publicUrl: 'https://tandem.example.com',
        oidc: { issuer: undefined, clientId: undefined, clientSecret: undefined, scopes: 'openid profile email groups offline_access', userClaim: 'preferred_username', groupsClaim: 'groups' },
        tokenContext: undefined,
        proxy: { trusted: ['10.0.0.5', '::1'], userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
        adminGroups: ['ops', 'platform'],
        accessCacheMs: 10_000,
      },
      admission: {
        mode: 'enforce',
        host: '0.0.0.0',
        port: 8443,
        certificate: { certFile: '/etc/tandem/admission/tls.crt', keyFile: '/etc/tandem/admission/tls.key' },
        url: 'https://tandem-admission.tandem.svc:443/validate',
        context: 'prod',
        exemptUsers: ['deployer', 'argocd'],
        exemptGroups: ['system:nodes'],
        resources: ['deployments.apps', 'configmaps'],
        namespaceSelector: { matchLabels: { 'tandem.dev/leases': 'on' } },
        objectSelector: { matchExpressions: [{ key: 'tandem.dev/skip', operator: 'DoesNotExist' }] },
      },
    });
  });

  it('refuses dev sign-in on a non-loopback HOST unless forced, and sign-in modes without what they need', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/TANDEM_AUTH=dev: anyone who reaches HOST=0\.0\.0\.0 could type any name/);
    expect(loadConfig({ HOST: '0.0.0.0', TANDEM_DEV_AUTH_FORCE: 'on' }).auth).toMatchObject({ mode: 'dev', devForced: true });
    expect(loadConfig({ HOST: '127.0.0.1' }).auth.mode).toBe('dev');
    expect(() => loadConfig({ TANDEM_AUTH: 'oidc' })).toThrow(/TANDEM_OIDC_ISSUER: required with TANDEM_AUTH=oidc/);
    expect(() => loadConfig({ TANDEM_AUTH: 'proxy' })).toThrow(/TANDEM_TRUSTED_PROXIES: required/);
  });

  it('treats an empty REDIS_URL as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).redis).toBeUndefined();
  });

  it.each([
    ['PORT', 'http', /PORT="http": must be a whole number/],
    ['PORT', '70000', /PORT="70000": must be at most 65535/],
    ['TANDEM_SANDBOX', 'yes', /TANDEM_SANDBOX="yes": must be "on" or "off"/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL="localhost:6379": must be a redis:\/\/ or rediss:\/\/ URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud": must be one of fatal, error/],
    ['TANDEM_HISTORY_MAX_ENTRIES', '0', /TANDEM_HISTORY_MAX_ENTRIES="0": must be at least 1/],
    ['TANDEM_ALLOWED_ORIGINS', 'https://tandem.example.com/app', /TANDEM_ALLOWED_ORIGINS=.*is not an origin such as/],
    ['TANDEM_LIMIT_SAVES_PER_MINUTE', '0', /TANDEM_LIMIT_SAVES_PER_MINUTE="0": must be at least 1/],
    ['TANDEM_QUOTA_LEASES_PER_RESOURCE', 'many', /TANDEM_QUOTA_LEASES_PER_RESOURCE="many": must be a whole number/],
    ['TANDEM_ALLOWED_ORIGINS', '*', /TANDEM_ALLOWED_ORIGINS="\*": "\*" is not an origin/],
  ])('rejects %s=%s with a message naming the variable', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(InvalidConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });
});
