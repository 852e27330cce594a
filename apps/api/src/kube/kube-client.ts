import { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { KubeApiError } from './kube.errors.js';
import { kubeListSchema, type KubeObject } from './kube.schemas.js';

/** A resource type addressed the way the REST API spells it (`core` for the unnamed group). */
export interface ResourceTypeRef {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Reads one kubeconfig context through @kubernetes/client-node's auth and transport (bearer tokens,
 * client certificates, exec plugins), keeping response bodies as plain JSON so nothing is lost on the way.
 */
export class KubeClient {
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(
    readonly contextName: string,
    private readonly kubeConfig: KubeConfig,
  ) {}

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
    return this.listResources({ group: 'core', version: 'v1', resource: 'namespaces' });
  }

  /** Lists one resource type, in one namespace or (without `namespace`) across the cluster. */
  async listResources(type: ResourceTypeRef, namespace?: string): Promise<KubeObject[]> {
    const base = type.group === 'core' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
    const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
    const what = `Listing ${type.resource} in ${namespace === undefined ? 'all namespaces' : `namespace "${namespace}"`}`;
    const body = await this.getJson(`${base}${scope}/${type.resource}`, what);
    const list = kubeListSchema.safeParse(body);
    if (!list.success) {
      throw new KubeApiError(502, 'BadUpstreamResponse', `${what}: the cluster answered with something that is not a Kubernetes list`);
    }
    return list.data.items;
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

  private async getJson(path: string, what: string): Promise<unknown> {
    const server = this.server;
    const request = new RequestContext(`${server}${path}`, HttpMethod.GET);
    request.setHeaderParam('Accept', 'application/json');
    let status: number;
    let text: string;
    try {
      await this.kubeConfig.applySecurityAuthentication(request);
      const response = await this.http.send(request).toPromise();
      status = response.httpStatusCode;
      text = await response.body.text();
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
