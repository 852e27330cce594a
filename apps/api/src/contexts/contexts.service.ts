import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { TypedEmitter, type ContextInfo, type ContextsChanged } from '@tandem/sync';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { KubeApiError } from '../errors/kube-api-error.js';
import { SANDBOX_CONTEXT, SandboxService } from '../sandbox/sandbox.service.js';
import { probeContext, type ProbeResult } from './context-probe.js';
import {
  connectionFingerprint,
  halfWrittenReason,
  kubeConfigOf,
  mergeKubeconfigs,
  parseKubeconfig,
  type KubeconfigDocument,
} from './kubeconfig-merge.js';
import { KubeconfigWatcher } from './kubeconfig-watcher.js';
import { IN_CLUSTER_CONTEXT, IN_CLUSTER_SOURCE, inClusterContext } from './in-cluster.js';

/** Source of the embedded sandbox's context in `ContextInfo.source`. */
export const EMBEDDED_SOURCE = 'embedded';

/** A probe must not hold a status back for long: an unreachable cluster is reported as such. */
const PROBE_TIMEOUT_MS = 800;
/** Events of one save (truncate, write, rename) arrive together; one read after them is enough. */
const WATCH_DEBOUNCE_MS = 60;
const WATCH_MAX_WAIT_MS = 250;
/** A text that looks half-written but stays exactly so this long is taken as the file's real contents. */
const HALF_WRITTEN_SETTLE_MS = 2_000;

interface KubeconfigFileState {
  readonly path: string;
  /** Hash of the text last read (undefined while the file is absent), so unchanged reads do nothing. */
  hash: string | undefined;
  inode: number | undefined;
  /** The contents last taken as good; kept while the file is broken. */
  good: KubeconfigDocument | undefined;
  /** Why the file is degraded (unparseable, unreadable or caught mid-write). */
  problem: string | undefined;
  /** A parseable text held back as a suspected partial write, and when it was first read. */
  suspect: { readonly hash: string; readonly since: number } | undefined;
}

interface ContextEntry {
  readonly name: string;
  readonly server: string;
  readonly namespace: string | undefined;
  readonly fingerprint: string;
  /** Undefined when the context's cluster cannot be resolved. */
  readonly kubeConfig: KubeConfig | undefined;
  source: string;
  problem: string | undefined;
  probe: ProbeResult | undefined;
  probeGeneration: number;
}

/**
 * The contexts the gateway can reach: the embedded sandbox first, then the cluster its Pod runs in
 * (through the Pod's ServiceAccount), then the contexts of the user's kubeconfig files, followed
 * live. Answers from memory; files are watched and re-read, clusters probed
 * in the background, and every change is announced through `onChange`.
 */
@Injectable()
export class ContextsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ContextsService.name);
  private readonly files: KubeconfigFileState[];
  private entries = new Map<string, ContextEntry>();
  private readonly changes = new TypedEmitter<{ changed: [ContextsChanged] }>({ onListenerError: (error) => this.logger.error(`A contexts listener failed: ${describe(error)}`) });
  private readonly hiddenClashes = new Set<string>();
  private embedded: ContextEntry | undefined;
  /** The cluster the gateway's Pod runs in, through its ServiceAccount (TANDEM_IN_CLUSTER). */
  private inCluster: ContextEntry | undefined;
  private watcher: KubeconfigWatcher | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private reloads: Promise<void> = Promise.resolve();
  private lastPublished = '[]';
  private destroyed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sandbox: SandboxService,
  ) {
    this.files = kubeconfigPaths(config.kubeconfig).map((path) => ({
      path,
      hash: undefined,
      inode: undefined,
      good: undefined,
      problem: undefined,
      suspect: undefined,
    }));
  }

  /** Every context, sandbox first, then kubeconfig contexts in merge order. */
  list(): ContextInfo[] {
    return [...this.entries.values()].map(toContextInfo);
  }

  /** A client-node KubeConfig pinned to the context; an unknown name is a 404 listing the known ones. */
  kubeConfig(name: string): KubeConfig {
    const entry = this.entries.get(name);
    if (entry === undefined) throw KubeApiError.contextNotFound(name, [...this.entries.keys()]);
    if (entry.kubeConfig === undefined) {
      throw new KubeApiError(503, 'ContextDegraded', entry.problem ?? `Context "${name}" has no usable cluster`);
    }
    return entry.kubeConfig;
  }

  /** Called after every change of the list; returns the unsubscribe function. */
  onChange(listener: (event: ContextsChanged) => void): () => void {
    return this.changes.on('changed', listener);
  }

  // Bootstrap, not module init: the sandbox (another provider) must be listening first.
  async onApplicationBootstrap(): Promise<void> {
    this.embedded = this.embeddedEntry();
    this.inCluster = this.inClusterEntry();
    await this.reload(this.files.map((file) => file.path));
    this.watcher = new KubeconfigWatcher(
      this.files.map((file) => file.path),
      (paths) => this.enqueueReload([...paths]),
      { debounceMs: WATCH_DEBOUNCE_MS, maxWaitMs: WATCH_MAX_WAIT_MS },
      (path, error) => this.logger.warn(`Cannot watch ${path} (${describe(error)}); it is re-read every ${this.config.contexts.reconcileMs} ms`),
    );
    this.watcher.start();
    this.every(this.config.contexts.reconcileMs, () => {
      this.watcher?.watchDirectories();
      this.enqueueReload(this.files.map((file) => file.path));
    });
    this.every(this.config.contexts.probeIntervalMs, () => {
      for (const entry of this.entries.values()) void this.probe(entry);
    });
    // The first list already says which clusters answer; each probe gives up after PROBE_TIMEOUT_MS.
    await Promise.all([...this.entries.values()].map((entry) => this.probe(entry)));
    this.logger.log(`Following ${this.files.length} kubeconfig file(s): ${this.files.map((file) => file.path).join(', ')}`);
  }

  onModuleDestroy(): void {
    this.destroyed = true;
    this.watcher?.close();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.changes.removeAllListeners();
  }

  private every(ms: number, task: () => void): void {
    const timer = setInterval(task, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private enqueueReload(paths: readonly string[]): void {
    if (this.destroyed) return;
    this.reloads = this.reloads
      .then(() => this.reload(paths))
      .catch((error: unknown) => this.logger.error(`Re-reading kubeconfig files failed: ${describe(error)}`));
  }

  private async reload(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const file = this.files.find((candidate) => candidate.path === path);
      if (file !== undefined) await this.readFile(file);
    }
    if (!this.destroyed) this.recompute();
  }

  private async readFile(file: KubeconfigFileState): Promise<void> {
    let text: string;
    let inode: number;
    try {
      const handle = await open(file.path, 'r');
      try {
        inode = (await handle.stat()).ino;
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        // A deleted file takes its contexts with it: that is the user's intent, not a partial write.
        if (file.hash !== undefined || file.good !== undefined) this.logger.log(`${file.path} was removed`);
        Object.assign(file, { hash: undefined, inode: undefined, good: undefined, problem: undefined, suspect: undefined });
        return;
      }
      file.problem = `Cannot read ${file.path} (${errorCode(error) ?? describe(error)}); keeping its last good contents`;
      return;
    }
    if (inode !== file.inode) {
      file.inode = inode;
      this.watcher?.rewatchFile(file.path);
    }
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === file.hash && file.suspect === undefined) return;
    file.hash = hash;
    const parsed = parseKubeconfig(file.path, text);
    if (!parsed.ok) {
      file.suspect = undefined;
      file.problem = file.good === undefined ? parsed.error : `${parsed.error}; keeping its last good contents`;
      this.logger.warn(file.problem);
      return;
    }
    const reason = halfWrittenReason(text, parsed.document, file.good);
    const now = Date.now();
    if (reason !== undefined && !(file.suspect?.hash === hash && now - file.suspect.since >= HALF_WRITTEN_SETTLE_MS)) {
      if (file.suspect?.hash !== hash) {
        file.suspect = { hash, since: now };
        const settle = setTimeout(() => {
          this.timers.delete(settle);
          this.enqueueReload([file.path]);
        }, HALF_WRITTEN_SETTLE_MS + 20);
        this.timers.add(settle);
      }
      file.problem = `${file.path} looks half-written (${reason}); keeping its last good contents until the write completes`;
      return;
    }
    if (file.problem !== undefined) this.logger.log(`${file.path} parses again`);
    Object.assign(file, { good: parsed.document, problem: undefined, suspect: undefined });
  }

  /** Rebuilds the context list from the files' good contents and announces what changed. */
  private recompute(): void {
    const previous = this.entries;
    const next = new Map<string, ContextEntry>();
    if (this.embedded !== undefined) next.set(this.embedded.name, this.embedded);
    if (this.inCluster !== undefined) next.set(this.inCluster.name, this.inCluster);
    const merged = mergeKubeconfigs(this.files.map((file) => ({ path: file.path, document: file.good, problem: file.problem })));
    for (const context of merged) {
      if (next.has(context.name)) {
        const clash = `${context.name}@${context.source}`;
        if (!this.hiddenClashes.has(clash)) {
          this.hiddenClashes.add(clash);
          const owner = context.name === IN_CLUSTER_CONTEXT && this.inCluster !== undefined ? 'the in-cluster context' : 'the embedded sandbox';
          this.logger.warn(`Context "${context.name}" of ${context.source} is hidden: ${owner} uses that name`);
        }
        continue;
      }
      const fingerprint = connectionFingerprint(context);
      const known = previous.get(context.name);
      if (known !== undefined && known.fingerprint === fingerprint) {
        known.source = context.source;
        known.problem = context.problem;
        next.set(context.name, known);
        continue;
      }
      next.set(context.name, {
        name: context.name,
        server: context.cluster?.server ?? '',
        namespace: context.context.namespace,
        fingerprint,
        kubeConfig: context.cluster === undefined ? undefined : kubeConfigOf(context),
        source: context.source,
        problem: context.problem,
        probe: undefined,
        probeGeneration: 0,
      });
    }
    this.entries = next;
    const added = [...next.keys()].filter((name) => !previous.has(name));
    const removed = [...previous.keys()].filter((name) => !next.has(name));
    const changed = [...next.values()]
      .filter((entry) => previous.has(entry.name) && previous.get(entry.name) !== entry)
      .map((entry) => entry.name);
    this.publish(added, removed, changed);
    for (const name of [...added, ...changed]) {
      const entry = next.get(name);
      if (entry !== undefined) void this.probe(entry);
    }
  }

  private async probe(entry: ContextEntry): Promise<void> {
    if (entry.kubeConfig === undefined || this.destroyed) return;
    const generation = ++entry.probeGeneration;
    const result = await probeContext(entry.kubeConfig, PROBE_TIMEOUT_MS);
    if (this.destroyed || generation !== entry.probeGeneration || this.entries.get(entry.name) !== entry) return;
    const before = JSON.stringify(entry.probe);
    entry.probe = result;
    if (JSON.stringify(result) !== before) {
      if (result.status === 'unreachable') this.logger.warn(`Context "${entry.name}" is unreachable: ${result.error}`);
      this.publish([], [], []);
    }
  }

  /** Tells every listener, unless nothing a client could see has changed. */
  private publish(added: string[], removed: string[], changed: string[]): void {
    const contexts = this.list();
    const snapshot = JSON.stringify(contexts);
    if (added.length === 0 && removed.length === 0 && changed.length === 0 && snapshot === this.lastPublished) return;
    this.lastPublished = snapshot;
    if (added.length + removed.length + changed.length > 0) {
      this.logger.log(`Contexts changed: added [${added.join(', ')}], removed [${removed.join(', ')}], changed [${changed.join(', ')}]`);
    }
    const event: ContextsChanged = { contexts, added, removed, changed };
    this.changes.emit('changed', event);
  }

  private inClusterEntry(): ContextEntry | undefined {
    const found = inClusterContext(this.config.inCluster);
    if (!found.present) {
      if (this.config.inCluster.mode === 'auto') this.logger.debug(`No in-cluster context: ${found.reason}`);
      return undefined;
    }
    if (found.problem !== undefined) this.logger.warn(`In-cluster context "${IN_CLUSTER_CONTEXT}": ${found.problem}`);
    else this.logger.log(`In-cluster context "${IN_CLUSTER_CONTEXT}": ${found.server} through the Pod's ServiceAccount (${this.config.inCluster.serviceAccountDir})`);
    return {
      name: IN_CLUSTER_CONTEXT,
      server: found.server,
      namespace: found.namespace,
      fingerprint: IN_CLUSTER_SOURCE,
      kubeConfig: found.kubeConfig,
      source: IN_CLUSTER_SOURCE,
      problem: found.problem,
      probe: undefined,
      probeGeneration: 0,
    };
  }

  private embeddedEntry(): ContextEntry | undefined {
    const url = this.sandbox.url;
    if (url === undefined) return undefined;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.sandbox.kubeconfigPath);
    kubeConfig.setCurrentContext(SANDBOX_CONTEXT);
    return {
      name: SANDBOX_CONTEXT,
      server: url,
      namespace: kubeConfig.getContextObject(SANDBOX_CONTEXT)?.namespace,
      fingerprint: EMBEDDED_SOURCE,
      kubeConfig,
      source: EMBEDDED_SOURCE,
      problem: undefined,
      probe: undefined,
      probeGeneration: 0,
    };
  }
}

/** The files kubectl would read: the `KUBECONFIG` list (deduplicated, in order), or ~/.kube/config. */
export function kubeconfigPaths(kubeconfigVariable: string | undefined): string[] {
  const listed = (kubeconfigVariable ?? '').split(delimiter).filter((path) => path.trim() !== '');
  const paths = listed.length > 0 ? listed.map((path) => resolve(path)) : [join(homedir(), '.kube', 'config')];
  return [...new Set(paths)];
}

function toContextInfo(entry: ContextEntry): ContextInfo {
  const base = { name: entry.name, server: entry.server, ...(entry.namespace === undefined ? {} : { namespace: entry.namespace }), source: entry.source };
  if (entry.problem !== undefined) return { ...base, status: 'degraded', error: entry.problem };
  if (entry.probe?.status === 'unreachable') return { ...base, status: 'unreachable', error: entry.probe.error };
  return { ...base, status: 'ok' };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
