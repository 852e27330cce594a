import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

/** The real kubectl reading the sandbox's OpenAPI: `explain` prints from it, and `apply` computes its patches with it. */
const run = promisify(execFile);
let sandbox: Sandbox;
let home: string;

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('/usr/bin/kubectl', ['--kubeconfig', join(home, 'kubeconfig'), '--cache-dir', join(home, 'cache'), ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home } });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sandbox-openapi-kubectl-'));
  sandbox = await startSandbox();
  await sandbox.writeKubeconfig(join(home, 'kubeconfig'), { namespace: 'shop' });
});

afterAll(async () => {
  await sandbox.close();
  await rm(home, { recursive: true, force: true });
});

describe('kubectl reading the OpenAPI schemas', () => {
  it('explains a field with its type', async () => {
    const { stdout } = await kubectl('explain', 'deployment.spec.replicas');
    expect(stdout).toMatch(/^GROUP:\s+apps$/m);
    expect(stdout).toMatch(/^FIELD: replicas <integer>$/m);
    expect(stdout).toMatch(/^DESCRIPTION:\n\s+Number of desired pods\./m);
  });

  it('explains a nested type with its fields', async () => {
    const { stdout } = await kubectl('explain', 'deployment.spec.template.spec.containers');
    expect(stdout).toMatch(/^FIELD: containers <\[\]Container>$/m);
    expect(stdout).toMatch(/^ {2}image\s+<string>$/m);
    expect(stdout).toMatch(/^ {2}name\s+<string> -required-$/m);
    const surge = await kubectl('explain', 'deployment.spec.strategy.rollingUpdate.maxSurge');
    expect(surge.stdout).toMatch(/^FIELD: maxSurge <IntOrString>$/m);
  });

  it('applies an update whose patch kubectl computes from the schema: keyed lists merge, a volume source is replaced', async () => {
    const manifest = (image: string, level: string, volume: Record<string, unknown>): string =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'schema-apply' },
        spec: {
          selector: { matchLabels: { app: 'schema-apply' } },
          template: {
            metadata: { labels: { app: 'schema-apply' } },
            spec: {
              containers: [
                { name: 'app', image, env: [{ name: 'LEVEL', value: level }], resources: { limits: { cpu: 1 } } },
                { name: 'proxy', image: 'envoy:1' },
              ],
              volumes: [{ name: 'data', ...volume }],
            },
          },
        },
      });
    const file = join(home, 'deployment.json');
    await writeFile(file, manifest('app:1', 'info', { emptyDir: {} }));
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('deployment.apps/schema-apply created');
    await writeFile(file, manifest('app:2', 'debug', { configMap: { name: 'cfg' } }));
    const updated = await kubectl('apply', '-f', file);
    expect(updated.stdout.trim()).toBe('deployment.apps/schema-apply configured');
    expect(updated.stderr).toBe('');

    const stored = JSON.parse((await kubectl('get', 'deploy', 'schema-apply', '-o', 'json')).stdout) as { spec: { template: { spec: Record<string, unknown> } } };
    expect(stored.spec.template.spec['containers']).toEqual([
      { name: 'app', image: 'app:2', env: [{ name: 'LEVEL', value: 'debug' }], resources: { limits: { cpu: 1 } } },
      { name: 'proxy', image: 'envoy:1' },
    ]);
    expect(stored.spec.template.spec['volumes']).toEqual([{ name: 'data', configMap: { name: 'cfg' } }]);
  });
});
