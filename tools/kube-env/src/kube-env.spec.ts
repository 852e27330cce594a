import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEnv, type KubeEnv } from './index.js';

const run = promisify(execFile);

async function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function processesUsing(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'args']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((line) => line.includes(dir));
}

describe('startKubeEnv', () => {
  let env: KubeEnv;

  beforeAll(async () => {
    env = await startKubeEnv({ users: [{ name: 'alice', groups: ['tandem:editors'] }] });
  });

  afterAll(async () => {
    await env?.close();
  });

  it('serves the real Kubernetes version over TLS signed by its own CA', async () => {
    expect(env.version).toMatch(/^v1\.34\.\d+$/);
    const version = await env.request('GET', '/version');
    expect(version.body).toMatchObject({ major: '1', minor: '34', gitVersion: env.version });
    expect(env.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lets RBAC decide: admin reads Secrets, alice without a binding is forbidden, a bound client certificate is allowed', async () => {
    expect((await env.request('GET', '/api/v1/namespaces/default/secrets')).status).toBe(200);
    const forbidden = await env.request('GET', '/api/v1/namespaces/default/secrets', undefined, { user: 'alice' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', message: expect.stringContaining('User "alice" cannot list resource "secrets"') });

    // A user minted later by client certificate, in a group bound to a role that reads ConfigMaps.
    // (The built-in view role is aggregated by the controller-manager, which does not run here.)
    await env.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'configmap-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    });
    await env.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'auditors-read-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'configmap-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'auditors' }],
    });
    await env.clientCertificate('carol', ['auditors']);
    const kubeconfig = `${env.dir}/carol.kubeconfig`;
    await env.writeKubeconfig(kubeconfig, { user: 'carol' });
    const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', `${env.dir}/kubectl-cache`, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}'], { env: { HOME: env.dir, PATH: process.env['PATH'] ?? '/usr/bin' } });
    expect(stdout).toContain('carol');
    expect(stdout).toContain('auditors');
    const canList = await run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', `${env.dir}/kubectl-cache`, 'auth', 'can-i', 'list', 'configmaps', '-n', 'default'], { env: { HOME: env.dir, PATH: process.env['PATH'] ?? '/usr/bin' } });
    expect(canList.stdout.trim()).toBe('yes');
  });

  it('makes a compacted resourceVersion too old to watch from (410 Gone)', async () => {
    const created = await env.request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'before-compaction' }, data: { a: '1' } });
    expect(created.status).toBe(201);
    const oldVersion = String((created.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    await env.request('PATCH', '/api/v1/namespaces/default/configmaps/before-compaction', { data: { a: '2' } }, { contentType: 'application/merge-patch+json' });
    await env.compact();
    const watch = await env.request('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${oldVersion}&timeoutSeconds=5`);
    // The API server answers with a 200 stream whose only event is the 410 Status.
    const text = typeof watch.body === 'string' ? watch.body : JSON.stringify(watch.body);
    expect(text).toContain('"code":410');
    expect(text).toMatch(/"reason":"(Expired|Gone)"/);
  });

  it('stops etcd and kube-apiserver on close, freeing their ports and removing their data', async () => {
    const other = await startKubeEnv();
    const { dir, url } = other;
    expect(await listening(url)).toBe(true);
    expect(await processesUsing(dir)).not.toEqual([]);
    await other.close();
    expect(await listening(url)).toBe(false);
    expect(await processesUsing(dir)).toEqual([]);
    await expect(access(dir)).rejects.toThrow();
  });
});
