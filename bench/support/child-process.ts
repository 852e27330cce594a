/**
 * Child processes for the collaboration benchmark: servers run apart from the bench
 * process so that their memory can be read on its own, and are always stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchRoot = dirname(dirname(fileURLToPath(import.meta.url)));
export const workspaceRoot = dirname(benchRoot);

export interface ChildServer {
  readonly name: string;
  readonly pid: number;
  /** What the child printed when it became ready (matched by `readyPattern`). */
  readonly readyMatch: RegExpMatchArray;
  /** Everything the child printed on stdout and stderr until it became ready. */
  readonly startupOutput: string;
  /** Resident set size from /proc/<pid>/status (VmRSS), in bytes. */
  rssBytes(): Promise<number>;
  /** Sends an IPC message and resolves with the first reply (children started with `ipc: true`). */
  ask<T>(message: object): Promise<T>;
  stop(): Promise<void>;
}

export interface StartChildOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** A line of stdout that means "ready"; its match is returned (e.g. the port). */
  readonly readyPattern: RegExp;
  readonly ipc?: boolean;
  readonly readyTimeoutMs?: number;
}

/** Every child started and not yet stopped, so a failing run still cleans up. */
const running = new Set<ChildServer>();

export async function readRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`/proc/${pid}/status has no VmRSS line: is the process still running?`);
  return Number(kib) * 1024;
}

/** Starts `node <args>` and resolves once a stdout line matches `readyPattern`. */
export function startChild(options: StartChildOptions): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [...options.args], {
    cwd: workspaceRoot,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const server: ChildServer = {
    name: options.name,
    pid: pid ?? -1,
    readyMatch: [] as unknown as RegExpMatchArray,
    startupOutput: '',
    rssBytes: () => readRssBytes(pid ?? -1),
    ask<T>(message: object): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (!child.send) return reject(new Error(`${options.name} was started without an IPC channel`));
        child.once('message', (reply) => resolve(reply as T));
        child.send(message);
      });
    },
    async stop() {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killed);
      }
    },
  };
  running.add(server);

  return new Promise<ChildServer>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      void server.stop();
      reject(new Error(`${options.name} did not print ${options.readyPattern} within ${timeoutMs} ms; its output:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = options.readyPattern.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      // Keep draining output so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      resolve({ ...server, readyMatch: match, startupOutput: output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(server);
      reject(new Error(`${options.name} exited (${signal ?? `code ${code}`}) before it was ready; its output:\n${output.slice(-2000)}`));
    });
  });
}

/** Stops every child still running (the suite's `finally`). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** `node --import tsx <script>`: the support scripts are TypeScript, like the rest of the bench. */
export function tsxArgs(script: string, nodeFlags: readonly string[] = []): string[] {
  return [...nodeFlags, '--import', 'tsx', join(benchRoot, 'support', script)];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition` holds, checking every 50 ms; throws with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs `task` over `items` with at most `limit` in flight (connecting 500 clients at once overloads 2 cores). */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A progress line on stderr, so a multi-minute run shows where it is. */
export function progress(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}
