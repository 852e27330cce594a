import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const gatewayMain = join(workspaceRoot, 'apps/api/dist/main.js');

export interface RunningGateway {
  /** e.g. http://localhost:41234, as the gateway printed it. */
  readonly url: string;
  /** The gateway's own HOME (a temp dir), where its sandbox kubeconfig is written. */
  readonly home: string;
  readonly process: ChildProcessWithoutNullStreams;
  /** Everything the gateway printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; removes its HOME. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would end it; resolves once it has exited. */
  kill(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Variables added to (or overriding) the defaults: PORT=0, HOST=127.0.0.1, LOG_LEVEL=warn, own HOME. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Spawns the built gateway (`node apps/api/dist/main.js`) on a free loopback port with its own HOME,
 * the given variables added, and resolves once it prints its URL.
 */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const home = await mkdtemp(join(tmpdir(), 'tandem-gateway-'));
  const child = spawn(process.execPath, [gatewayMain], {
    cwd: workspaceRoot,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      PORT: '0',
      HOST: '127.0.0.1',
      TANDEM_SANDBOX_KUBECONFIG: join(home, 'sandbox.kubeconfig'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const match = output.match(/Tandem is running at (http:\/\/localhost:\d+)\n/);
      if (match?.[1] === undefined) return;
      child.stdout.off('data', check);
      child.off('exit', onExit);
      resolveUrl(match[1]);
    };
    const onExit = (code: number | null): void => reject(new Error(`The gateway exited with ${code} before printing its URL:\n${output}`));
    child.stdout.on('data', check);
    child.once('exit', onExit);
  });
  const exited = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    url,
    home,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = exited();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await done;
        clearTimeout(timer);
      }
      await rm(home, { recursive: true, force: true });
    },
    async kill() {
      const done = exited();
      child.kill('SIGKILL');
      await done;
    },
  };
}
