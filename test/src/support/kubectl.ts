/**
 * The real `/usr/bin/kubectl`, run the way the scenarios need it: against a given kubeconfig, with
 * its own HOME and discovery cache so runs never share (or pollute) a user's ~/.kube.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = '/usr/bin/kubectl';

export interface KubectlOptions {
  /** The kubeconfig kubectl reads (passed as --kubeconfig). */
  readonly kubeconfig: string;
  /** kubectl's own HOME; its discovery cache goes to `<home>/cache`. Need not exist yet. */
  readonly home: string;
  /** Variables added to PATH and HOME, e.g. KUBE_EDITOR. */
  readonly env?: Readonly<Record<string, string>>;
  /** What kubectl reads on stdin (e.g. for `-f -`); stdin is closed after it. */
  readonly input?: string;
}

export interface KubectlResult {
  /** The exit code, or null when a signal ended kubectl. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts kubectl and returns the process, for commands that keep running (`get -w`); the caller ends it. */
export function spawnKubectl(args: readonly string[], options: KubectlOptions): ChildProcessWithoutNullStreams {
  return spawn(KUBECTL, ['--kubeconfig', options.kubeconfig, '--cache-dir', join(options.home, 'cache'), ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: options.home, ...options.env },
  });
}

/** Runs kubectl to completion and resolves with its exit code and output, whatever the exit code. */
export function kubectl(args: readonly string[], options: KubectlOptions): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawnKubectl(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs kubectl and resolves with its stdout; rejects naming the command and its stderr when it fails. */
export async function kubectlOk(args: readonly string[], options: KubectlOptions): Promise<string> {
  const result = await kubectl(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited with ${String(result.code)}:\n${result.stderr}`);
  return result.stdout;
}

/** A fresh temp dir to use as kubectl's HOME; the caller removes it. */
export function createKubectlHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tandem-kubectl-home-'));
}

/**
 * Writes `jsSource` as a Node ES module kubectl can run as its editor (it gets the file to edit as
 * `process.argv[2]`), and resolves with the value for KUBE_EDITOR.
 */
export async function writeEditorScript(dir: string, jsSource: string): Promise<string> {
  const script = join(dir, `editor-${randomUUID()}.mjs`);
  await writeFile(script, jsSource);
  // kubectl splits a KUBE_EDITOR without quotes on spaces, so this runs `node <script> <file>`.
  return `${process.execPath} ${script}`;
}

/** An editor that replaces every occurrence of `from` with `to` in the edited file, as a user retyping a value would. */
export function writeReplacingEditor(dir: string, from: string, to: string): Promise<string> {
  return writeEditorScript(
    dir,
    `import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2];
writeFileSync(file, readFileSync(file, 'utf8').replaceAll(${JSON.stringify(from)}, ${JSON.stringify(to)}));
`,
  );
}
