import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeconfigWatcher } from './kubeconfig-watcher.js';

describe(KubeconfigWatcher.name, () => {
  let dir: string;
  let watcher: KubeconfigWatcher | undefined;
  let reports: string[][];
  const errors: unknown[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-watcher-'));
    reports = [];
  });

  afterEach(async () => {
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const follow = (paths: string[]): KubeconfigWatcher => {
    watcher = new KubeconfigWatcher(paths, (changed) => reports.push([...changed]), { debounceMs: 50, maxWaitMs: 200 }, (_path, error) => errors.push(error));
    watcher.start();
    return watcher;
  };

  const reported = async (path: string): Promise<void> => {
    for (let waited = 0; waited < 5_000; waited += 20) {
      if (reports.some((paths) => paths.includes(path))) return;
      await sleep(20);
    }
    throw new Error(`${path} was never reported as changed`);
  };

  it('reports in-place writes, replacements by rename, deletion and re-creation of a file', async () => {
    const file = join(dir, 'config');
    await writeFile(file, 'one\n');
    follow([file]);
    await sleep(100);
    for (const change of [
      () => writeFile(file, 'two\n'),
      async () => {
        await writeFile(`${file}.tmp`, 'three\n');
        await rename(`${file}.tmp`, file);
      },
      () => writeFile(file, 'four\n'),
      () => unlink(file),
      () => writeFile(file, 'five\n'),
    ]) {
      reports = [];
      await change();
      await reported(file);
    }
    expect(errors).toEqual([]);
  });

  it('follows a file in a directory that does not exist yet once asked to look again', async () => {
    const file = join(dir, 'later', 'config');
    const following = follow([file]);
    await mkdir(join(dir, 'later'));
    following.watchDirectories();
    await writeFile(file, 'hello\n');
    await reported(file);
    expect(errors).toEqual([]);
  });

  it('coalesces a burst of writes into few reports', async () => {
    const file = join(dir, 'config');
    await writeFile(file, 'start\n');
    follow([file]);
    await sleep(100);
    reports = [];
    for (let round = 0; round < 50; round += 1) await writeFile(file, `round ${round}\n`);
    await reported(file);
    await sleep(150);
    expect(reports.length).toBeLessThan(10);
  });
});
