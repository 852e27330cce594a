import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
    vi.useRealTimers();
    watcher?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const follow = (paths: string[]): KubeconfigWatcher => {
    watcher = new KubeconfigWatcher(paths, (changed) => reports.push([...changed]), { debounceMs: 50, maxWaitMs: 200 }, (_path, error) => errors.push(error));
    watcher.start();
    return watcher;
  };

  const reported = (path: string): Promise<void> =>
    vi.waitFor(
      () => {
        if (!reports.some((paths) => paths.includes(path))) throw new Error(`${path} was never reported as changed`);
      },
      { timeout: 10_000, interval: 20 },
    );

  it('reports in-place writes, replacements by rename, deletion and re-creation of a file', async () => {
    const file = join(dir, 'config');
    await writeFile(file, 'one\n');
    follow([file]);
    // Starting reports every file once; the changes below are counted after that report.
    await reported(file);
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

  it('coalesces a burst of writes into one report', async () => {
    const file = join(dir, 'config');
    await writeFile(file, 'start\n');
    // The watcher's timers stand still, so the whole burst falls in one quiet period however slowly the writes land.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    follow([file]);
    vi.advanceTimersByTime(50);
    expect(reports).toEqual([[file]]);
    reports = [];

    for (let round = 0; round < 50; round += 1) await writeFile(file, `round ${round}\n`);
    // A pending quiet-period timer is the sign the watcher heard the burst. Polled by hand on setImmediate,
    // since vi.waitFor would move the fake clock.
    const bound = performance.now() + 10_000;
    while (vi.getTimerCount() === 0) {
      if (performance.now() > bound) throw new Error('the watcher never heard the burst');
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reports).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(reports).toEqual([[file]]);
  });
});
