import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { Actor, ClusterAccess } from '../identity/actor.js';
import { apiVersionOf, groupVersionPath, type ResourceTypeRef } from '@tandem/sync';
import { z } from 'zod';
import { KubeApiError } from '../errors/kube-api-error.js';
import { kubeListSchema, kubeObjectSchema, type KubeObject } from './kube.schemas.js';

/** The field manager every Tandem write carries (as kubectl's is `kubectl-edit`); the watch tells Tandem's writes from others' by it. */
export const FIELD_MANAGER = 'tandem';

/** One list of a resource type, with the version to start a watch from. */
export interface KubeList {
  readonly resourceVersion: string;
  readonly items: KubeObject[];
}

/** One resource type the cluster serves, as discovery reports it (`group` is `''` for the core group). */
export interface DiscoveredResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
}

export type KubeWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One line of a watch stream; `object` is the object, a bookmark, or (for ERROR) a Status. */
export interface KubeWatchEvent {
  readonly type: KubeWatchEventType;
  readonly object: Record<string, unknown>;
}

const apiVersionsSchema = z.looseObject({ versions: z.array(z.string()) });
const apiGroupListSchema = z.looseObject({
  groups: z.array(z.looseObject({ name: z.string(), versions: z.array(z.looseObject({ version: z.string() })) })),
});
const apiResourceListSchema = z.looseObject({
  resources: z.array(
    z.looseObject({
      name: z.string(),
      kind: z.string(),
      namespaced: z.boolean(),
      verbs: z.array(z.string()).default([]),
      shortNames: z.array(z.string()).optional(),
    }),
  ),
});
const openApiRootSchema = z.looseObject({ paths: z.record(z.string(), z.looseObject({ serverRelativeURL: z.string() })) });
const watchEventTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);


/**
 * One URL path segment. `.` and `..` survive encodeURIComponent and a URL resolves them to another
 * path (`secrets/..` is the namespace), so they are refused here too, whatever validated them before.
 */
function segment(part: string): string {
  if (part === '' || part === '.' || part === '..') throw new KubeApiError(400, 'BadRequest', `"${part}" is not a valid name in a URL path`);
  return encodeURIComponent(part);
}

/** The REST path of a collection or (with `name`) of one object. */
export function resourcePath(type: ResourceTypeRef, namespace?: string, name?: string): string {
  const base = `/${groupVersionPath(type)}`;
  const scope = namespace === undefined ? '' : `/namespaces/${segment(namespace)}`;
  return `${base}${scope}/${segment(type.resource)}${name === undefined ? '' : `/${segment(name)}`}`;
}

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Reads one kubeconfig context through @kubernetes/client-node's auth and transport (bearer tokens,
 * client certificates, exec plugins), keeping response bodies as plain JSON so nothing is lost on the way.
 */
type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class KubeClient {
  /** For token access: TLS that trusts the cluster but presents no client certificate of the gateway's. */
  private tokenAgent: HttpsAgent | undefined;

  constructor(
    readonly contextName: string,
    private readonly kubeConfig: KubeConfig,
    /** Whose credential reads and writes use; watches always run with the gateway's own. */
    private readonly access: ClusterAccess = { kind: 'gateway' },
    private readonly impersonated?: { readonly user: string; readonly groups: readonly string[] },
    private readonly shared?: KubeClient,
  ) {}

  /**
   * The same context, with every read and write made as `actor`: impersonated, or with their own
   * token, so the cluster's RBAC decides what they may do.
   */
  as(actor: Actor): KubeClient {
    if (actor.access.kind === 'gateway') return this;
    return new KubeClient(this.contextName, this.kubeConfig, actor.access, { user: actor.user, groups: actor.groups }, this.shared ?? this);
  }

  /** Loads a kubeconfig file and pins the client to one of its contexts (its current one by default). */
  static fromFile(path: string, contextName?: string): KubeClient {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    if (contextName !== undefined) kubeConfig.setCurrentContext(contextName);
    return new KubeClient(kubeConfig.getCurrentContext(), kubeConfig);
  }

  get server(): string {
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (server === undefined) throw new Error(`Context "${this.contextName}" has no cluster server`);
    return server.replace(/\/+$/, '');
  }

  /** The context's default namespace, as kubectl would use it. */
  get namespace(): string {
    return this.kubeConfig.getContextObject(this.contextName)?.namespace ?? 'default';
  }

  async listNamespaces(): Promise<KubeObject[]> {
    return (await this.list({ group: 'core', version: 'v1', resource: 'namespaces' })).items;
  }

  /** Lists one resource type, in one namespace or (without `namespace`) across the cluster, with the list's resourceVersion. */
  async list(type: ResourceTypeRef, namespace?: string): Promise<KubeList> {
    const what = `Listing ${type.resource} in ${namespace === undefined ? 'all namespaces' : `namespace "${namespace}"`}`;
    const body = await this.getJson(resourcePath(type, namespace), what);
    const list = kubeListSchema.safeParse(body);
    if (!list.success) {
      throw new KubeApiError(502, 'BadUpstreamResponse', `${what}: the cluster answered with something that is not a Kubernetes list`);
    }
    // A real API server leaves kind and apiVersion off list items (they are the list's); every
    // object Tandem hands on carries them, as a GET or a watch event would.
    const { apiVersion, kind } = list.data;
    const itemKind = kind?.endsWith('List') === true ? kind.slice(0, -'List'.length) : undefined;
    const items = list.data.items.map((item): KubeObject => {
      const typed = { apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? itemKind };
      return { ...item, ...(typed.apiVersion !== undefined ? { apiVersion: typed.apiVersion } : {}), ...(typed.kind !== undefined ? { kind: typed.kind } : {}) };
    });
    return { resourceVersion: list.data.metadata?.resourceVersion ?? '', items };
  }

  /** Reads one object. */
  async get(type: ResourceTypeRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const what = `Reading ${type.resource} "${name}"${namespace === undefined ? '' : ` in namespace "${namespace}"`}`;
    const body = await this.getJson(resourcePath(type, namespace, name), what);
    const object = kubeObjectSchema.safeParse(body);
    if (!object.success) throw new KubeApiError(502, 'BadUpstreamResponse', `${what}: the cluster answered with something that is not a Kubernetes object`);
    return object.data;
  }

  /**
   * Replaces one object (HTTP PUT). The object's `metadata.resourceVersion` is the precondition:
   * the cluster answers 409 if the object moved on. `dryRun` validates without persisting.
   */
  async replace(type: ResourceTypeRef, namespace: string | undefined, name: string, object: unknown, options: { fieldManager: string; dryRun?: boolean }): Promise<KubeObject> {
    const what = `Saving ${type.resource} "${name}"${namespace === undefined ? '' : ` in namespace "${namespace}"`}`;
    const query = new URLSearchParams({ fieldManager: options.fieldManager });
    if (options.dryRun === true) query.set('dryRun', 'All');
    const body = await this.sendJson('PUT', `${resourcePath(type, namespace, name)}?${query.toString()}`, what, object);
    const saved = kubeObjectSchema.safeParse(body);
    if (!saved.success) throw new KubeApiError(502, 'BadUpstreamResponse', `${what}: the cluster answered with something that is not a Kubernetes object`);
    return saved.data;
  }

  /** Every resource type of every served group-version (subresources left out). */
  async discover(): Promise<DiscoveredResource[]> {
    const core = apiVersionsSchema.safeParse(await this.getJson('/api', 'Discovering the core API'));
    const groups = apiGroupListSchema.safeParse(await this.getJson('/apis', 'Discovering API groups'));
    if (!core.success || !groups.success) throw new KubeApiError(502, 'BadUpstreamResponse', 'Discovery: the cluster answered /api or /apis with an unexpected shape');
    const groupVersions = [
      ...core.data.versions.map((version) => ({ group: '', version })),
      ...groups.data.groups.flatMap((group) => group.versions.map(({ version }) => ({ group: group.name, version }))),
    ];
    const lists = await Promise.all(
      groupVersions.map(async ({ group, version }) => {
        const path = `/${groupVersionPath({ group, version })}`;
        const list = apiResourceListSchema.safeParse(await this.getJson(path, `Discovering ${group === '' ? version : `${group}/${version}`}`));
        if (!list.success) throw new KubeApiError(502, 'BadUpstreamResponse', `Discovery: ${path} is not an APIResourceList`);
        return list.data.resources
          .filter((resource) => !resource.name.includes('/'))
          .map((resource) => ({
            group,
            version,
            resource: resource.name,
            kind: resource.kind,
            namespaced: resource.namespaced,
            verbs: resource.verbs,
            shortNames: resource.shortNames ?? [],
          }));
      }),
    );
    return lists.flat();
  }

  /** The OpenAPI v3 document of one group-version (`/openapi/v3/apis/<g>/<v>` or `/openapi/v3/api/v1`). */
  async openApiV3(group: string, version: string): Promise<unknown> {
    const key = groupVersionPath({ group, version });
    const root = openApiRootSchema.safeParse(await this.getJson('/openapi/v3', 'Reading the OpenAPI v3 index'));
    if (!root.success) throw new KubeApiError(502, 'BadUpstreamResponse', 'The cluster answered /openapi/v3 with an unexpected shape');
    const entry = root.data.paths[key];
    if (entry === undefined) throw new KubeApiError(404, 'NotFound', `The cluster publishes no OpenAPI v3 document for ${apiVersionOf({ group, version })}`);
    return this.getJson(entry.serverRelativeURL, `Reading the OpenAPI v3 document ${key}`);
  }

  /**
   * Starts a watch from `resourceVersion` (bookmarks on, so a quiet stream still shows it is alive).
   * `onDone` runs once when the stream ends for any reason; the returned function ends it early.
   */
  async watch(
    type: ResourceTypeRef,
    namespace: string | undefined,
    resourceVersion: string,
    onEvent: (event: KubeWatchEvent) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void> {
    const controller = await new Watch(this.kubeConfig).watch(
      resourcePath(type, namespace),
      { resourceVersion, allowWatchBookmarks: true },
      (eventType: string, object: unknown) => {
        if (!watchEventTypes.has(eventType) || typeof object !== 'object' || object === null || Array.isArray(object)) return;
        onEvent({ type: eventType as KubeWatchEventType, object: object as Record<string, unknown> });
      },
      onDone,
    );
    return () => controller.abort();
  }

  /** True when the API server answers `GET /version` in time. */
  async isReachable(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.getJson('/version', 'Probing the API server').then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private getJson(path: string, what: string): Promise<unknown> {
    return this.sendJson('GET', path, what);
  }

  /** POSTs a review (SubjectAccessReview, SelfSubjectAccessReview, TokenReview) and returns its answer. */
  review(path: string, body: unknown, what: string): Promise<unknown> {
    return this.sendJson('POST', path, what, body);
  }

  private async requestOptions(url: URL, method: HttpMethod, body: string | undefined): Promise<RequestOptions> {
    const options: HttpsRequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const headers: Record<string, string | string[] | number> = { ...(options.headers as Record<string, string> | undefined), accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    let agent = options.agent;
    if (this.access.kind === 'impersonate' && this.impersonated !== undefined) {
      headers['impersonate-user'] = this.impersonated.user;
      // One header line per group: the API server does not split a comma-joined value.
      if (this.impersonated.groups.length > 0) headers['impersonate-group'] = [...this.impersonated.groups];
    } else if (this.access.kind === 'token') {
      headers['authorization'] = `Bearer ${this.access.token}`;
      const owner = this.shared ?? this;
      owner.tokenAgent ??= new HttpsAgent({ keepAlive: true, ...(options.ca !== undefined ? { ca: options.ca } : {}), ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}) });
      agent = owner.tokenAgent;
    }
    if (url.protocol === 'http:') return { method, headers };
    return { method, headers, ...(agent !== undefined ? { agent } : {}) };
  }

  private async sendJson(method: HttpMethod, path: string, what: string, body?: unknown): Promise<unknown> {
    const server = this.server;
    const url = new URL(`${server}${path}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let status: number;
    let text: string;
    try {
      const options = await this.requestOptions(url, method, payload);
      ({ status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const onResponse = (response: IncomingMessage): void => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        };
        const req = url.protocol === 'http:' ? httpRequest(url, options, onResponse) : httpsRequest(url, options, onResponse);
        req.on('error', reject);
        req.end(payload);
      }));
    } catch (cause) {
      throw KubeApiError.unreachable(this.contextName, server, cause);
    }
    if (status < 200 || status > 299) throw KubeApiError.fromResponse(status, text, what);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KubeApiError(502, 'BadUpstreamResponse', `${what}: the cluster answered with invalid JSON`);
    }
  }
}
