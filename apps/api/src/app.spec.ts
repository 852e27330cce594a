import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from './test-support/in-process-gateway.js';

describe('gateway over HTTP with the embedded sandbox', () => {
  let gateway: InProcessGateway;
  let base: string;
  let workDir: string;
  let kubeconfigPath: string;

  beforeAll(async () => {
    gateway = await startInProcessGateway();
    ({ base, workDir, sandboxKubeconfig: kubeconfigPath } = gateway);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers the health probes', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { sandbox: 'up' } });
  });

  it('lists the sandbox as a connected context', async () => {
    const response = await fetch(`${base}/api/contexts`);
    expect(response.status).toBe(200);
    const contexts: unknown = await response.json();
    expect(contexts).toEqual([
      expect.objectContaining({ name: 'tandem-sandbox', namespace: 'shop', source: 'embedded', status: 'ok', server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }),
    ]);
  });

  it('sends a kind\'s JSON Schema gzip-compressed to a client that accepts it, and plain to one that does not', async () => {
    const url = `${base}/api/contexts/tandem-sandbox/schemas/apps/v1/Deployment`;
    const compressed = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(compressed.status).toBe(200);
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    const schema = (await compressed.json()) as { properties?: Record<string, unknown> };
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['spec', 'metadata']));
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.json()).toEqual(schema);
  });

  it('lists the sandbox namespaces', async () => {
    const response = await fetch(`${base}/api/contexts/tandem-sandbox/namespaces`);
    expect(response.status).toBe(200);
    const names = ((await response.json()) as { metadata: { name: string } }[]).map((ns) => ns.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'shop']));
  });

  it('lists the Deployments of a namespace and the core resources of another', async () => {
    const deployments = await fetch(`${base}/api/contexts/tandem-sandbox/resources/apps/v1/deployments?namespace=shop`);
    expect(deployments.status).toBe(200);
    const { items, resourceVersion } = (await deployments.json()) as { resourceVersion: string; items: { metadata: { name: string; namespace: string } }[] };
    expect(resourceVersion).toMatch(/^\d+$/);
    expect(items.map((d) => d.metadata.name).sort()).toEqual(['web', 'worker']);
    expect(items.every((d) => d.metadata.namespace === 'shop')).toBe(true);

    const none = await fetch(`${base}/api/contexts/tandem-sandbox/resources/apps/v1/deployments?namespace=default`);
    expect(await none.json()).toMatchObject({ items: [] });
  });

  it('passes on the cluster Status message and code for an unknown resource type', async () => {
    const response = await fetch(`${base}/api/contexts/tandem-sandbox/resources/core/v1/gizmos?namespace=shop`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(404);
    expect(body.error.message.length).toBeGreaterThan(0);
  });

  it('names the known contexts when asked for an unknown one', async () => {
    const response = await fetch(`${base}/api/contexts/prod/namespaces`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 404, reason: 'ContextNotFound', message: 'Context "prod" is not known to this gateway (known: "tandem-sandbox")' },
    });
  });

  it('rejects malformed route params and query with 400 and what is wrong', async () => {
    const badVersion = await fetch(`${base}/api/contexts/tandem-sandbox/resources/apps/latest/deployments`);
    expect(badVersion.status).toBe(400);
    const body = (await badVersion.json()) as { error: { code: number; reason: string; message: string } };
    expect(body.error).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(body.error.message).toContain('version must look like v1');

    const badNamespace = await fetch(`${base}/api/contexts/tandem-sandbox/resources/apps/v1/deployments?namespace=Shop_1`);
    expect(badNamespace.status).toBe(400);
    expect(((await badNamespace.json()) as { error: { message: string } }).error.message).toContain('DNS-1123 label');
  });

  it('serves the web app at / and for client-side routes, but never for API paths', async () => {
    const root = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('<div id="root"></div>');

    const deepLink = await fetch(`${base}/contexts/tandem-sandbox/shop`, { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<div id="root"></div>');

    const unknownApi = await fetch(`${base}/api/nope`, { headers: { accept: 'text/html' } });
    expect(unknownApi.status).toBe(404);
    expect(((await unknownApi.json()) as { error: { code: number } }).error.code).toBe(404);
  });

  it('writes a kubeconfig that the real kubectl can use against the sandbox', async () => {
    const kubeconfig = await readFile(kubeconfigPath, 'utf8');
    expect(kubeconfig).toContain('tandem-sandbox');
    const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const kubectl = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfigPath, '--cache-dir', join(workDir, 'kube-cache'), 'get', 'deploy', '-n', 'shop', '-o', 'name'], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: workDir },
      });
      let stdout = '';
      let stderr = '';
      kubectl.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      kubectl.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      kubectl.on('error', reject);
      kubectl.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(output.stderr).toBe('');
    expect(output.stdout.trim().split('\n').sort()).toEqual(['deployment.apps/web', 'deployment.apps/worker']);
    expect(output.code).toBe(0);
  });
});
