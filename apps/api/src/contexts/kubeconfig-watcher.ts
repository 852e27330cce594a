import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface KubeconfigWatcherOptions {
  /** Quiet time that ends a burst of events. */
  readonly debounceMs: number;
  /** Longest a burst may postpone a reload, so a file rewritten without pause is still followed. */
  readonly maxWaitMs: number;
}

/**
 * Watches kubeconfig files and their directories and reports which files may have changed, once per
 * burst. Directories are watched too because kubectl and editors replace a file by renaming another
 * over it (the old file's watch then sees nothing more), and a file that does not exist yet may appear.
 */
export class KubeconfigWatcher {
  private readonly fileWatchers = new Map<string, FSWatcher>();
  private readonly directoryWatchers = new Map<string, FSWatcher>();
  private readonly pending = new Set<string>();
  private quietTimer: NodeJS.Timeout | undefined;
  private maxWaitTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly onChange: (paths: ReadonlySet<string>) => void,
    private readonly options: KubeconfigWatcherOptions,
    private readonly onWatchError: (path: string, error: unknown) => void,
  ) {}

  start(): void {
    this.watchDirectories();
    for (const path of this.paths) this.rewatchFile(path);
  }

  /** Watches the directories not watched yet (a directory that did not exist may have appeared). */
  watchDirectories(): void {
    if (this.closed) return;
    for (const directory of new Set(this.paths.map((path) => dirname(path)))) {
      if (this.directoryWatchers.has(directory)) continue;
      const names = new Set(this.paths.filter((path) => dirname(path) === directory).map((path) => basename(path)));
      const watcher = this.tryWatch(directory, (filename) => {
        // Some platforms report no file name; then every file of the directory may have changed.
        for (const path of this.paths) {
          if (dirname(path) === directory && (filename === null || names.has(filename))) this.mark(path);
        }
      });
      if (watcher === undefined) continue;
      this.directoryWatchers.set(directory, watcher);
      // Files may have been created along with the directory, before its watch began.
      for (const path of this.paths) if (dirname(path) === directory) this.mark(path);
    }
  }

  /** Watches the file anew: after a rename-replace the old watch follows a file that is gone. */
  rewatchFile(path: string): void {
    if (this.closed) return;
    this.fileWatchers.get(path)?.close();
    this.fileWatchers.delete(path);
    const watcher = this.tryWatch(path, () => this.mark(path));
    if (watcher !== undefined) this.fileWatchers.set(path, watcher);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxWaitTimer);
    for (const watcher of [...this.fileWatchers.values(), ...this.directoryWatchers.values()]) watcher.close();
    this.fileWatchers.clear();
    this.directoryWatchers.clear();
  }

  private tryWatch(path: string, onEvent: (filename: string | null) => void): FSWatcher | undefined {
    try {
      const watcher = watch(path, { persistent: false }, (_event, filename) => onEvent(filename));
      watcher.on('error', (error) => {
        watcher.close();
        if (this.fileWatchers.get(path) === watcher) this.fileWatchers.delete(path);
        if (this.directoryWatchers.get(path) === watcher) this.directoryWatchers.delete(path);
        // A deleted or replaced file (or directory) ends its watch; the directory watch and the periodic check carry on.
        for (const file of this.paths) if (file === path || dirname(file) === path) this.mark(file);
        if (!isNotFound(error)) this.onWatchError(path, error);
      });
      return watcher;
    } catch (error) {
      // A file that does not exist yet is followed through its directory; a missing directory by the periodic check.
      if (!isNotFound(error)) this.onWatchError(path, error);
      return undefined;
    }
  }

  private mark(path: string): void {
    if (this.closed) return;
    this.pending.add(path);
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), this.options.debounceMs);
    this.maxWaitTimer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
  }

  private flush(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.maxWaitTimer);
    this.quietTimer = undefined;
    this.maxWaitTimer = undefined;
    if (this.pending.size === 0 || this.closed) return;
    const paths = new Set(this.pending);
    this.pending.clear();
    this.onChange(paths);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
