import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CLI = join(import.meta.dirname, 'cli.ts');
let workDir: string;

/** Runs the CLI from its sources, as `npm run sandbox` runs the built file. */
function runCli(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=@tandem/source', CLI, ...args], { cwd: import.meta.dirname });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tandem-sandbox-cli-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('sandbox CLI', () => {
  it('prints the URL, port and kubeconfig, serves the demo data, and exits 0 on SIGTERM leaving nothing listening', { timeout: 30_000 }, async () => {
    const kubeconfig = join(workDir, 'nested', 'sandbox.kubeconfig');
    const child = runCli(['--port', '0', '--kubeconfig', kubeconfig]);
    const done = exited(child);
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)\n[\s\S]*kubeconfig: .+\n/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('close', () => reject(new Error(`the CLI exited before printing its URL:\n${output}`)));
    });
    expect(output).toContain(`port: ${new URL(url).port}\n`);
    expect(output).toContain(`kubeconfig: ${kubeconfig}\n`);
    const config = parse(await readFile(kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[]; 'current-context': string };
    expect(config['current-context']).toBe('tandem-sandbox');
    expect(config.clusters[0]?.cluster).toEqual({ server: url, 'insecure-skip-tls-verify': true });
    const deployments = (await (await fetch(`${url}/apis/apps/v1/namespaces/shop/deployments`)).json()) as { items: { metadata: { name: string } }[] };
    expect(deployments.items.map((d) => d.metadata.name)).toEqual(['web', 'worker']);

    child.kill('SIGTERM');
    expect(await done).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('answers unknown or malformed flags with the usage and exit code 2', { timeout: 30_000 }, async () => {
    for (const args of [['--prot', '1'], ['--port', 'eighty']]) {
      const child = runCli(args);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      expect(await exited(child)).toBe(2);
      expect(stderr).toContain('usage: npm run sandbox --');
    }
  });
});
