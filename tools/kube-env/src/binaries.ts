import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's folder, which holds the Go module and build.sh (the same from src/ and dist/). */
export const kubeEnvRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface KubeBinaries {
  readonly dir: string;
  readonly kubeApiserver: string;
  readonly etcd: string;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The kube-apiserver and etcd binaries: from `TANDEM_KUBE_BIN_DIR` when set, otherwise built
 * by build.sh (a no-op when its cache already holds this build). `onProgress` receives what
 * the build prints, line by line, so a cold build of several minutes is not silent.
 */
export async function kubeBinaries(onProgress: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<KubeBinaries> {
  const preset = process.env['TANDEM_KUBE_BIN_DIR'];
  const dir = preset !== undefined && preset !== '' ? preset : await runBuild(onProgress);
  const binaries = { dir, kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
  for (const path of [binaries.kubeApiserver, binaries.etcd]) {
    if (!(await executable(path))) throw new Error(`${path} is missing or not executable; run npm run kube:build`);
  }
  return binaries;
}

function runBuild(onProgress: (line: string) => void): Promise<string> {
  return new Promise((resolveDir, reject) => {
    const child = spawn('bash', [join(kubeEnvRoot, 'build.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim() !== '') onProgress(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const dir = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && dir !== '') resolveDir(dir);
      else reject(new Error(`Building kube-apiserver and etcd failed (build.sh exited with ${String(code)}):\n${stderrTail}`));
    });
  });
}
