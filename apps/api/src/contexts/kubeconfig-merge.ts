/**
 * Kubeconfig files as data: parsing one file, telling a finished file from one read mid-write, and
 * merging several files by kubectl's rules. No I/O here; the watcher and the service feed it text.
 */
import { dirname } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';

/** The last good contents of one kubeconfig file. */
export interface KubeconfigDocument {
  readonly path: string;
  readonly clusters: readonly Cluster[];
  readonly users: readonly User[];
  readonly contexts: readonly Context[];
  readonly currentContext: string | undefined;
  /** Top-level keys with a value, so a later read that lost whole sections (a truncated write) can be noticed. */
  readonly sections: readonly string[];
}

export type KubeconfigParse =
  | { readonly ok: true; readonly document: KubeconfigDocument }
  | { readonly ok: false; readonly error: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one kubeconfig file. Entries are read by client-node (so tokens, client certificates, exec
 * plugins and auth providers mean what they mean to it); relative certificate paths resolve against
 * the file's directory, as kubectl does.
 */
export function parseKubeconfig(path: string, text: string): KubeconfigParse {
  const parsedYaml = parseDocument(text, { prettyErrors: false });
  const yamlError = parsedYaml.errors[0];
  if (yamlError !== undefined) return { ok: false, error: `${path} is not valid YAML: ${firstLine(yamlError)}` };
  const raw: unknown = parsedYaml.toJS();
  if (raw === null || raw === undefined) {
    return { ok: true, document: { path, clusters: [], users: [], contexts: [], currentContext: undefined, sections: [] } };
  }
  if (!isRecord(raw)) return { ok: false, error: `${path} is not a kubeconfig: its top level is not a mapping` };
  if (raw['kind'] !== undefined && raw['kind'] !== 'Config') {
    return { ok: false, error: `${path} is not a kubeconfig: kind is ${JSON.stringify(raw['kind'])}, not "Config"` };
  }
  for (const section of ['clusters', 'users', 'contexts'] as const) {
    const value = raw[section];
    if (value !== undefined && value !== null && !Array.isArray(value)) {
      return { ok: false, error: `${path} is not a valid kubeconfig: "${section}" must be a list` };
    }
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromString(text);
  } catch (error) {
    return { ok: false, error: `${path} is not a valid kubeconfig: ${firstLine(error)}` };
  }
  kubeConfig.makePathsAbsolute(dirname(path));
  const currentContext = typeof raw['current-context'] === 'string' && raw['current-context'] !== '' ? raw['current-context'] : undefined;
  return {
    ok: true,
    document: {
      path,
      clusters: kubeConfig.getClusters(),
      users: kubeConfig.getUsers(),
      contexts: kubeConfig.getContexts(),
      currentContext,
      sections: Object.keys(raw).filter((key) => raw[key] !== null && raw[key] !== undefined),
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Why a text that parses still looks like a file caught mid-write, or undefined when it can be taken
 * as is. Compared with the previous good version: a file emptied, a last line without its line ending,
 * a context left using a cluster or user the file no longer defines, or contexts lost together with
 * whole top-level sections are the marks of a truncated write. A cut exactly at a line end inside the
 * last section cannot be told from an edit by content alone.
 */
export function halfWrittenReason(text: string, next: KubeconfigDocument, previous: KubeconfigDocument | undefined): string | undefined {
  if (previous === undefined) return undefined;
  if (text.trim() === '') return previous.contexts.length > 0 ? 'the file is empty' : undefined;
  if (!text.endsWith('\n')) return 'its last line has no line ending';
  const nextClusters = new Set(next.clusters.map((cluster) => cluster.name));
  const nextUsers = new Set(next.users.map((user) => user.name));
  const previousClusters = new Set(previous.clusters.map((cluster) => cluster.name));
  const previousUsers = new Set(previous.users.map((user) => user.name));
  const danglingReferences = next.contexts.flatMap((context) => {
    const lost: string[] = [];
    if (previousClusters.has(context.cluster) && !nextClusters.has(context.cluster)) lost.push(`cluster "${context.cluster}"`);
    if (context.user !== undefined && previousUsers.has(context.user) && !nextUsers.has(context.user)) lost.push(`user "${context.user}"`);
    return lost.map((what) => `context "${context.name}" uses ${what}, which the file no longer defines`);
  });
  if (danglingReferences.length > 0) return danglingReferences.join('; ');
  const nextContexts = new Set(next.contexts.map((context) => context.name));
  const lostContexts = previous.contexts.some((context) => !nextContexts.has(context.name));
  const lostSections = previous.sections.filter((section) => !next.sections.includes(section));
  if (lostContexts && lostSections.length > 0) return `its top-level ${lostSections.map((section) => `"${section}"`).join(', ')} went missing`;
  return undefined;
}

/** One kubeconfig file as the merge sees it: its last good contents and, when present, why it is degraded. */
export interface KubeconfigSource {
  readonly path: string;
  readonly document: KubeconfigDocument | undefined;
  readonly problem: string | undefined;
}

/** A context after merging, with the cluster and user it resolves to. */
export interface MergedContext {
  readonly name: string;
  /** The file that defines the context. */
  readonly source: string;
  readonly context: Context;
  readonly cluster: Cluster | undefined;
  readonly user: User | undefined;
  /** Why the context cannot be used as is (its file is degraded, or a reference does not resolve). */
  readonly problem: string | undefined;
}

/**
 * Merges files the way kubectl merges a `KUBECONFIG` list: the first file that defines a context,
 * cluster or user name wins, and a context may use a cluster or user defined in another file.
 */
export function mergeKubeconfigs(sources: readonly KubeconfigSource[]): MergedContext[] {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, { context: Context; source: KubeconfigSource }>();
  for (const source of sources) {
    const document = source.document;
    if (document === undefined) continue;
    for (const cluster of document.clusters) if (!clusters.has(cluster.name)) clusters.set(cluster.name, cluster);
    for (const user of document.users) if (!users.has(user.name)) users.set(user.name, user);
    for (const context of document.contexts) if (!contexts.has(context.name)) contexts.set(context.name, { context, source });
  }
  return [...contexts.values()].map(({ context, source }) => {
    const cluster = clusters.get(context.cluster);
    const user = context.user === undefined ? undefined : users.get(context.user);
    let problem = source.problem;
    if (problem === undefined && cluster === undefined) {
      problem = `Context "${context.name}" uses cluster "${context.cluster}", which no kubeconfig file defines`;
    }
    if (problem === undefined && context.user !== undefined && user === undefined) {
      problem = `Context "${context.name}" uses user "${context.user}", which no kubeconfig file defines`;
    }
    return { name: context.name, source: source.path, context, cluster, user, problem };
  });
}

/** A client-node KubeConfig holding only this context, its cluster and its user, pinned to it. */
export function kubeConfigOf(merged: MergedContext): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: merged.cluster === undefined ? [] : [merged.cluster],
    users: merged.user === undefined ? [] : [merged.user],
    contexts: [merged.context],
    currentContext: merged.name,
  });
  return kubeConfig;
}

/**
 * What a connection to the context depends on (server, TLS, credentials, namespace); when it differs,
 * everything connected through the context must reconnect. Kept in memory only, never logged.
 */
export function connectionFingerprint(merged: MergedContext): string {
  return JSON.stringify([merged.context, merged.cluster ?? null, merged.user ?? null]);
}
