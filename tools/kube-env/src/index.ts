/**
 * @tandem/kube-env: a real kube-apiserver and etcd on loopback, as controller-runtime's envtest
 * runs them: etcd on its own data dir, the API server with TLS from a generated CA, RBAC, static
 * token users and a service-account signing key. Tests run every cluster-facing scenario against
 * it beside the sandbox; `npm run kube:up` starts one for a person.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { kubeBinaries, type KubeBinaries } from './binaries.js';
import { createCertificateAuthority, createSigningKeyPair, type KeyPairPem } from './pki.js';

export { createObjects, type ApplyResult } from './apply.js';
export { kubeBinaries, kubeEnvRoot, type KubeBinaries } from './binaries.js';
export type { KeyPairPem } from './pki.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeResponse {
  readonly status: number;
  /** The parsed JSON body, or the text when it is not JSON. */
  readonly body: unknown;
}

export interface KubeEnvUser {
  readonly name: string;
  readonly groups?: readonly string[];
}

export interface KubeEnvOptions {
  /** Users signed in by static bearer tokens, beside `admin` (group system:masters). */
  readonly users?: readonly KubeEnvUser[];
  /**
   * The API server's watch cache (default off). With it off, watches read etcd directly, so a
   * compaction makes an older resourceVersion 410 Gone at once, as a long-gone client meets on
   * a real cluster; with it on, the cache's own window decides.
   */
  readonly watchCache?: boolean;
  /** More kube-apiserver flags, e.g. `--authentication-config=<file>`. */
  readonly apiServerArgs?: readonly string[];
  /** Where the data dir, certificates and logs go (default a new temp dir, removed on close). */
  readonly dir?: string;
  /** Prebuilt binaries; default: built (or taken from the cache) by build.sh. */
  readonly binaries?: KubeBinaries;
  /** How long to wait for /readyz (default 180 s: a cold start on a busy two-core machine). */
  readonly readyTimeoutMs?: number;
}

export interface KubeconfigRequest {
  /** Default 'admin'. A static-token user, or one minted with `clientCertificate`. */
  readonly user?: string;
  /** Default 'kube-env'. */
  readonly context?: string;
  readonly namespace?: string;
}

export interface KubeEnv {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** The gitVersion the API server reports, e.g. v1.34.4. */
  readonly version: string;
  /** The CA that signed the serving certificate and the client certificates (PEM). */
  readonly caPem: string;
  /** etcd's client URL (plain HTTP on loopback). */
  readonly etcdUrl: string;
  readonly dir: string;
  /** Every user with a bearer token, `admin` first. */
  readonly users: readonly KubeEnvUser[];
  /** The bearer token of a static-token user. */
  token(user?: string): string;
  /** A kubeconfig (YAML) for a user, with the CA inline. */
  kubeconfig(options?: KubeconfigRequest): string;
  writeKubeconfig(path: string, options?: KubeconfigRequest): Promise<void>;
  /** The kubeconfig written at start for `admin` (context kube-env). */
  readonly adminKubeconfigPath: string;
  /** A client certificate signed by the cluster's CA: CN = user, O = groups. Minted at any time. */
  clientCertificate(user: string, groups?: readonly string[]): Promise<KeyPairPem>;
  /** An HTTPS agent that trusts the cluster's CA, for plain requests. */
  readonly agent: Agent;
  /** One JSON request to the API server as a static-token user (default admin). */
  request(method: HttpMethod, path: string, body?: unknown, options?: { user?: string; contentType?: string }): Promise<KubeResponse>;
  /** Compacts etcd at its current revision, so watches from older resourceVersions get 410 Gone. */
  compact(): Promise<{ revision: string }>;
  /** Stops kube-apiserver and etcd and removes the dir (when the env made it). Idempotent. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A crashed or interrupted test run must not leave an API server or etcd behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly logPath: string;
  exited(): boolean;
  stop(): Promise<void>;
}

function startProcess(command: string, args: readonly string[], logPath: string): Started {
  const log = createWriteStream(logPath);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  running.add(child);
  installExitHook();
  let exited = false;
  const exit = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      log.end();
      resolveExit();
    }),
  );
  return {
    child,
    logPath,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function logTail(path: string, lines = 30): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function httpsGet(url: string, agent: Agent, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolveResponse({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function jsonRequest(url: URL, agent: Agent, token: string, method: HttpMethod, body: unknown, contentType = 'application/json'): Promise<KubeResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const headers: Record<string, string | number> = { accept: 'application/json', authorization: `Bearer ${token}` };
  if (payload !== undefined) {
    headers['content-type'] = contentType;
    headers['content-length'] = payload.length;
  }
  return new Promise((resolveResponse, reject) => {
    const req = request(url, { method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: the caller sees the text.
        }
        resolveResponse({ status: response.statusCode ?? 0, body: parsed });
      });
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function etcdPost(url: string, body: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolveBody, reject) => {
    const payload = JSON.stringify(body);
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        if ((response.statusCode ?? 0) >= 300) reject(new Error(`etcd ${url} answered ${String(response.statusCode)}: ${text}`));
        else resolveBody(JSON.parse(text) as Record<string, unknown>);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** Starts etcd and kube-apiserver on free loopback ports and resolves once /readyz answers 200. */
export async function startKubeEnv(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const binaries = options.binaries ?? (await kubeBinaries());
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tandem-kube-env-')));
  await mkdir(join(dir, 'pki'), { recursive: true });

  const ca = await createCertificateAuthority('tandem-kube-env-ca');
  const serving = await ca.issue({ commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'], ipAddresses: ['127.0.0.1', '10.0.0.1'] });
  const signing = await createSigningKeyPair();
  const pki = (name: string): string => join(dir, 'pki', name);
  await Promise.all([
    writeFile(pki('ca.crt'), ca.certPem),
    writeFile(pki('apiserver.crt'), serving.certPem),
    writeFile(pki('apiserver.key'), serving.keyPem, { mode: 0o600 }),
    writeFile(pki('sa.key'), signing.privateKeyPem, { mode: 0o600 }),
    writeFile(pki('sa.pub'), signing.publicKeyPem),
  ]);

  const users: KubeEnvUser[] = [{ name: 'admin', groups: ['system:masters'] }, ...(options.users ?? []).filter((user) => user.name !== 'admin')];
  const tokens = new Map(users.map((user) => [user.name, randomBytes(24).toString('hex')]));
  const tokenFile = users.map((user, index) => [tokens.get(user.name) ?? '', csvField(user.name), csvField(`uid-${index}`), csvField((user.groups ?? []).join(','))].join(',')).join('\n');
  await writeFile(pki('tokens.csv'), `${tokenFile}\n`, { mode: 0o600 });

  const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${String(etcdClientPort)}`;
  const peerUrl = `http://127.0.0.1:${String(etcdPeerPort)}`;
  const etcd = startProcess(
    binaries.etcd,
    [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    join(dir, 'etcd.log'),
  );

  const url = `https://127.0.0.1:${String(apiPort)}`;
  const agent = new Agent({ ca: ca.certPem, keepAlive: true });
  const adminToken = tokens.get('admin') ?? '';
  let apiServer: Started | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      agent.destroy();
      await apiServer?.stop();
      await etcd.stop();
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    })());

  try {
    apiServer = startProcess(
      binaries.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${String(apiPort)}`,
        '--advertise-address=127.0.0.1',
        `--cert-dir=${join(dir, 'pki')}`,
        `--tls-cert-file=${pki('apiserver.crt')}`,
        `--tls-private-key-file=${pki('apiserver.key')}`,
        `--client-ca-file=${pki('ca.crt')}`,
        `--token-auth-file=${pki('tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki('sa.pub')}`,
        `--service-account-signing-key-file=${pki('sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        // No controller-manager runs, so nothing would create the default ServiceAccounts it checks for.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        `--watch-cache=${String(options.watchCache ?? false)}`,
        '--profiling=false',
        ...(options.apiServerArgs ?? []),
      ],
      join(dir, 'kube-apiserver.log'),
    );

    const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
    let last = 'no answer yet';
    for (;;) {
      if (etcd.exited()) throw new Error(`etcd exited while starting:\n${await logTail(etcd.logPath)}`);
      if (apiServer.exited()) throw new Error(`kube-apiserver exited while starting:\n${await logTail(apiServer.logPath)}`);
      try {
        const ready = await httpsGet(`${url}/readyz`, agent, adminToken);
        if (ready.status === 200) break;
        last = `${String(ready.status)} ${ready.body.slice(0, 2000)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`kube-apiserver was not ready in time (last /readyz: ${last}):\n${await logTail(apiServer.logPath)}`);
      await sleep(250);
    }
    const versionInfo = JSON.parse((await httpsGet(`${url}/version`, agent, adminToken)).body) as { gitVersion?: string };

    const kubeconfig = (request: KubeconfigRequest = {}): string => renderKubeconfig(url, ca.certPem, request, tokens);
    const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(adminKubeconfigPath, kubeconfig(), { mode: 0o600 });
    const certificates = new Map<string, KeyPairPem>();

    const kubeEnv: KubeEnv = {
      url,
      version: versionInfo.gitVersion ?? 'unknown',
      caPem: ca.certPem,
      etcdUrl,
      dir,
      users,
      adminKubeconfigPath,
      agent,
      token(user = 'admin') {
        const token = tokens.get(user);
        if (token === undefined) throw new Error(`kube-env has no token user "${user}" (users: ${[...tokens.keys()].join(', ')})`);
        return token;
      },
      kubeconfig(request = {}) {
        const user = request.user ?? 'admin';
        const certificate = certificates.get(user);
        return certificate === undefined ? kubeconfig(request) : renderKubeconfig(url, ca.certPem, request, tokens, certificate);
      },
      async writeKubeconfig(path, request = {}) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, kubeEnv.kubeconfig(request), { mode: 0o600 });
      },
      async clientCertificate(user, groups = []) {
        const issued = await ca.issue({ commonName: user, organizations: groups, usage: 'client' });
        certificates.set(user, issued);
        return issued;
      },
      request(method, path, body, requestOptions = {}) {
        return jsonRequest(new URL(path, url), agent, kubeEnv.token(requestOptions.user), method, body, requestOptions.contentType);
      },
      async compact() {
        // A write outside the API server's keys moves etcd one revision past every resourceVersion
        // issued so far; compacting there leaves each of them strictly older than the compaction,
        // which is what makes a watch from them 410 (a watch starting exactly at the compacted
        // revision would instead lose the previous values of its first events).
        const marker = await etcdPost(`${etcdUrl}/v3/kv/put`, { key: Buffer.from('/tandem-kube-env/compaction').toString('base64'), value: Buffer.from(new Date().toISOString()).toString('base64') });
        const revision = String((marker['header'] as { revision?: string } | undefined)?.revision ?? '');
        if (revision === '') throw new Error(`etcd did not report its revision: ${JSON.stringify(marker)}`);
        await etcdPost(`${etcdUrl}/v3/kv/compaction`, { revision, physical: true });
        return { revision };
      },
      close,
    };
    return kubeEnv;
  } catch (error) {
    await close();
    throw error;
  }
}

function renderKubeconfig(url: string, caPem: string, request: KubeconfigRequest, tokens: ReadonlyMap<string, string>, certificate?: KeyPairPem): string {
  const context = request.context ?? 'kube-env';
  const user = request.user ?? 'admin';
  const token = tokens.get(user);
  if (certificate === undefined && token === undefined) throw new Error(`kube-env has no user "${user}": add it to users, or mint a client certificate first`);
  const credential =
    certificate !== undefined
      ? { 'client-certificate-data': Buffer.from(certificate.certPem).toString('base64'), 'client-key-data': Buffer.from(certificate.keyPem).toString('base64') }
      : { token };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: `${context}-${user}`, user: credential }],
    contexts: [{ name: context, context: { cluster: context, user: `${context}-${user}`, ...(request.namespace !== undefined ? { namespace: request.namespace } : {}) } }],
    'current-context': context,
    preferences: {},
  });
}
