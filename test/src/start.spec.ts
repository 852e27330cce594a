import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from './support/kubectl.js';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const gatewayMain = join(workspaceRoot, 'apps/api/dist/main.js');

function freePort(): Promise<number> {
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

/** Collects a child's output and resolves when a line matching `pattern` appears (or rejects when it exits first). */
function waitForLine(child: ChildProcessWithoutNullStreams, output: { text: string }, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolveMatch, reject) => {
    const check = () => {
      const match = output.text.match(pattern);
      if (match) {
        child.stdout.off('data', check);
        child.off('exit', onExit);
        resolveMatch(match);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`The gateway exited with ${code} before printing ${pattern}:\n${output.text}`));
    child.stdout.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('npm start: the built gateway serving the web app and the sandbox', () => {
  let home: string;
  let gateway: ChildProcessWithoutNullStreams;
  const output = { text: '' };
  let url: string;
  let kubeconfigPath: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'tandem-start-'));
    const port = await freePort();
    gateway = spawn(process.execPath, [gatewayMain], {
      cwd: workspaceRoot,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: home,
        PORT: String(port),
        HOST: '127.0.0.1',
        TANDEM_SANDBOX_KUBECONFIG: join(home, 'sandbox.kubeconfig'),
        LOG_LEVEL: 'warn',
      },
    });
    gateway.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    gateway.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const [, printedUrl] = await waitForLine(gateway, output, /Tandem is running at (http:\/\/localhost:\d+)\n/);
    const [, printedKubeconfig] = await waitForLine(gateway, output, /Sandbox kubeconfig: (\S+) {2}\(try: kubectl --kubeconfig \S+ get deploy -n shop\)\n/);
    url = printedUrl ?? '';
    kubeconfigPath = printedKubeconfig ?? '';
  });

  afterAll(async () => {
    if (gateway?.exitCode === null) gateway.kill('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });

  it('prints its URL on the configured port and the sandbox kubeconfig path', () => {
    expect(url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(kubeconfigPath).toBe(join(home, 'sandbox.kubeconfig'));
  });

  it('serves the web app page', async () => {
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const script = html.match(/<script type="module" crossorigin src="([^"]+)"/)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(`${url}${script ?? ''}`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain('namespace-list');
  });

  it('lists the sandbox namespaces and the Deployments in shop through the API', async () => {
    const namespaces = (await (await fetch(`${url}/api/contexts/tandem-sandbox/namespaces`)).json()) as { metadata: { name: string } }[];
    expect(namespaces.map((ns) => ns.metadata.name)).toEqual(expect.arrayContaining(['default', 'shop']));
    const { items: deployments } = (await (await fetch(`${url}/api/contexts/tandem-sandbox/resources/apps/v1/deployments?namespace=shop`)).json()) as {
      items: { metadata: { name: string } }[];
    };
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['web', 'worker']);
  });

  it('lets the real kubectl read the sandbox through the printed kubeconfig', async () => {
    const result = await kubectl(['get', 'deploy', '-n', 'shop'], { kubeconfig: kubeconfigPath, home: join(home, 'kubectl-home') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const names = result.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);
    expect(names.sort()).toEqual(['web', 'worker']);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolveExit) => gateway.once('exit', (code) => resolveExit(code)));
    gateway.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('the built gateway with invalid configuration', () => {
  it('exits 1 with one message naming the variable', async () => {
    const result = await run(process.execPath, [gatewayMain], { PATH: process.env['PATH'] ?? '/usr/bin:/bin', PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT="eighty": must be a whole number');
    expect(result.stdout).not.toContain('Tandem is running');
  });
});
