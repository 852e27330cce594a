import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { apiVersionOf, groupVersionPath, type TypedEmitter } from '@tandem/sync';
import { apiGroupList, apiResourceList, apiVersions, findGroupVersion, VERSION_INFO } from './discovery.js';
import { isRecord, stringField, type KubeObject } from './object.js';
import { openApiDocument, openApiRoot } from './openapi.js';
import { applyPatch, PatchError } from '../patch/index.js';
import type { ResourceRegistry, ResourceType } from './resources.js';
import { applyScale, toScale } from './scale.js';
import { MESSAGES } from './protobuf/descriptors.js';
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE, ProtobufError } from './protobuf/decode.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError, badRequest, continueExpired, entityTooLarge, fromPatchError, methodNotAllowed, pathNotFound, success, unsupportedMediaType } from './status.js';
import type { DeletePreconditions, Selection, Store, WriteOptions } from './store.js';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

/** The API server's default request body limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const PATCH_TYPES = new Set(['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);

export interface SandboxLifecycle {
  close: [];
}

export interface RouterContext {
  readonly store: Store;
  /** `host:port` the sandbox listens on, for `/api`'s serverAddressByClientCIDRs. */
  serverAddress(): string;
  /** Emits `close` when the sandbox closes, which ends every open watch. */
  readonly lifecycle: TypedEmitter<SandboxLifecycle>;
}

/** Where a resource request points: a collection, an object, or an object's subresource. */
interface ResourceTarget {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Keep draining an oversized body so the client can read the 413 answer.
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) throw entityTooLarge(MAX_BODY_BYTES);
  return Buffer.concat(chunks);
}

/** Parses a request body by its Content-Type; empty bodies are `undefined`. */
async function parseBody(req: IncomingMessage): Promise<unknown> {
  const bytes = await readBody(req);
  const type = mediaType(req);
  if (type === PROTOBUF_CONTENT_TYPE && bytes.length > 0) {
    try {
      return decodeKubernetesProtobuf(MESSAGES, bytes);
    } catch (error) {
      // Custom resources and kinds without a table have no protobuf encoding, as on a real server.
      if (error instanceof ProtobufError) throw unsupportedMediaType(`${type}: ${error.message}`);
      throw error;
    }
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) throw unsupportedMediaType(type);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

function parseTarget(registry: ResourceRegistry, segments: string[], group: string, version: string): ResourceTarget | undefined {
  let watchPath = false;
  if (segments[0] === 'watch') {
    watchPath = true;
    segments = segments.slice(1);
  }
  const find = (name: string | undefined): ResourceType | undefined => (name === undefined ? undefined : registry.find(group, version, name));
  const [first, second, third, fourth, fifth, ...rest] = segments;
  if (first === undefined || rest.length > 0) return undefined;
  const isNamespaceSubresource = first === 'namespaces' && (third === 'status' || third === 'finalize') && fourth === undefined;
  if (first === 'namespaces' && second !== undefined && third !== undefined && !isNamespaceSubresource) {
    const type = find(third);
    if (!type?.namespaced) return undefined;
    return { type, namespace: second, ...(fourth !== undefined ? { name: fourth } : {}), ...(fifth !== undefined ? { subresource: fifth } : {}), watchPath };
  }
  const type = find(first);
  if (!type || fourth !== undefined) return undefined;
  if (type.namespaced && second !== undefined) return undefined;
  return { type, ...(second !== undefined ? { name: second } : {}), ...(third !== undefined ? { subresource: third } : {}), watchPath };
}

function selectionOf(target: ResourceTarget, query: URLSearchParams): Selection {
  return {
    ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
    labels: parseLabelSelector(query.get('labelSelector')),
    fields: parseFieldSelector(query.get('fieldSelector')),
  };
}

/** The field manager of a write: `?fieldManager=`, else the User-Agent's program name (`kubectl/v1.32.0 (...)` -> `kubectl`). */
export function fieldManagerOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const explicit = query.get('fieldManager');
  if (explicit !== null && explicit !== '') return explicit;
  const program = (req.headers['user-agent'] ?? '').trim().split(/[/\s]/)[0];
  // A request without a User-Agent is recorded as the real server records it.
  return program === undefined || program === '' ? 'unknown' : program.slice(0, 128);
}

function writeOptions(req: IncomingMessage, query: URLSearchParams, subresource: string | undefined): WriteOptions {
  const dryRun = query.getAll('dryRun').includes('All');
  const manager = fieldManagerOf(req, query);
  return {
    ...(dryRun ? { dryRun } : {}),
    ...(subresource === 'status' || subresource === 'scale' ? { subresource } : {}),
    ...(manager !== undefined ? { manager } : {}),
    ...(mediaType(req) === 'application/apply-patch+yaml' ? { operation: 'Apply' as const } : {}),
  };
}

function deleteOptionsOf(body: unknown, query: URLSearchParams): { preconditions: DeletePreconditions; dryRun: boolean } {
  const options = isRecord(body) ? body : {};
  const pre = isRecord(options['preconditions']) ? options['preconditions'] : {};
  const uid = stringField(pre, 'uid');
  const resourceVersion = stringField(pre, 'resourceVersion');
  const bodyDryRun = Array.isArray(options['dryRun']) && options['dryRun'].includes('All');
  return {
    preconditions: { ...(uid !== undefined ? { uid } : {}), ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
    dryRun: bodyDryRun || query.getAll('dryRun').includes('All'),
  };
}

/** A continue token as the API server encodes it: base64url JSON of the list's version and the key to start after. */
interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data');
  }
  if (!isRecord(token) || token['v'] !== 'meta.k8s.io/v1' || typeof token['rv'] !== 'number' || typeof token['start'] !== 'string') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return { v: 'meta.k8s.io/v1', rv: token['rv'], start: token['start'] };
}

interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * One page of a list (`limit`, `continue`): every page of one list comes from the snapshot at the
 * first page's resourceVersion; once the history no longer reaches it, 410 Expired with a token
 * that continues, inconsistently, at the latest version.
 */
function listPage(store: Store, type: ResourceType, selection: Selection, query: URLSearchParams): ListPage {
  const limitText = query.get('limit');
  const limit = limitText === null ? 0 : Number(limitText);
  const continueText = query.get('continue');
  const token = continueText === null || continueText === '' ? undefined : decodeContinue(continueText);
  const prefix = `${type.group}/${type.name}/`;
  // Keys relative to the resource, as the real server's tokens hold them (`shop/web`).
  const relative = (key: string): string => key.slice(prefix.length).replace(/^\//, '');
  let keyed: [string, KubeObject][];
  let rv = Number(store.resourceVersion);
  if (token === undefined || token.rv === -1) {
    keyed = store.listKeyed(type, selection);
  } else {
    const snapshot = store.listAt(type, selection, token.rv);
    if (!Array.isArray(snapshot)) throw continueExpired(encodeContinue(-1, token.start));
    keyed = snapshot;
    rv = token.rv;
  }
  if (token !== undefined) keyed = keyed.filter(([key]) => relative(key) >= token.start);
  if (!Number.isInteger(limit) || limit <= 0 || keyed.length <= limit) return { items: keyed.map(([, object]) => object), resourceVersion: String(rv) };
  const page = keyed.slice(0, limit);
  const last = page[page.length - 1]?.[0] ?? '';
  const filtered = (selection.labels?.length ?? 0) > 0 || (selection.fields?.length ?? 0) > 0;
  return {
    items: page.map(([, object]) => object),
    resourceVersion: String(rv),
    continue: encodeContinue(rv, `${relative(last)}\u0000`),
    ...(filtered ? {} : { remainingItemCount: keyed.length - limit }),
  };
}

/** GET, PUT and PATCH on `<object>/scale`: an autoscaling/v1 Scale view of the object's replicas. */
async function serveScale(ctx: RouterContext, type: ResourceType, namespace: string | undefined, name: string, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const { store } = ctx;
  const method = req.method ?? 'GET';
  if (method === 'GET') return sendJson(res, 200, toScale(type, store.get(type, namespace, name)));
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
  const existing = store.get(type, namespace, name);
  let scale: unknown = await parseBody(req);
  if (method === 'PATCH') {
    const contentType = mediaType(req);
    if (!PATCH_TYPES.has(contentType)) throw unsupportedMediaType(contentType);
    if (scale === undefined) throw badRequest('the patch body is empty');
    try {
      // Scale is a built-in kind: strategic merge patches apply to it as to any other.
      scale = applyPatch(toScale(type, existing), scale, contentType, true);
    } catch (error) {
      if (error instanceof PatchError) throw fromPatchError(error.code, error.reason, error.message);
      throw error;
    }
  }
  const next = applyScale(type, existing, scale, name);
  sendJson(res, 200, toScale(type, store.update(type, namespace, name, next, writeOptions(req, query, 'scale'))));
}

async function serveResource(ctx: RouterContext, target: ResourceTarget, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const { store } = ctx;
  const { type, namespace, name, subresource } = target;
  const method = req.method ?? 'GET';
  if (subresource !== undefined && !((subresource === 'status' && type.hasStatus) || (subresource === 'scale' && type.scale !== undefined))) throw pathNotFound();
  if (subresource === 'scale' && name !== undefined) return serveScale(ctx, type, namespace, name, req, res, query);
  const table = method === 'GET' && wantsTable(req);
  const includeObject = query.get('includeObject');

  if (name === undefined) {
    const selection = selectionOf(target, query);
    if (method === 'GET' && (target.watchPath || query.get('watch') === 'true' || query.get('watch') === '1')) {
      const timeout = Number(query.get('timeoutSeconds') ?? '');
      const resourceVersion = query.get('resourceVersion');
      let stopEndingOnClose = (): void => undefined;
      const end = serveWatch(
        store,
        {
          type,
          selection,
          ...(resourceVersion !== null ? { resourceVersion } : {}),
          allowWatchBookmarks: query.get('allowWatchBookmarks') === 'true',
          sendInitialEvents: query.get('sendInitialEvents') === 'true',
          ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutSeconds: timeout } : {}),
          ...(table ? { present: (object: KubeObject, first: boolean) => toTable(type, [object], undefined, includeObject, first) } : {}),
        },
        req,
        res,
        () => stopEndingOnClose(),
      );
      if (!res.writableEnded) stopEndingOnClose = ctx.lifecycle.on('close', end);
      return;
    }
    if (method === 'GET') {
      const page = listPage(store, type, selection, query);
      const listMeta = {
        resourceVersion: page.resourceVersion,
        ...(page.continue !== undefined ? { continue: page.continue } : {}),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
      };
      if (table) {
        const rows = toTable(type, page.items, page.resourceVersion, includeObject);
        return sendJson(res, 200, { ...rows, metadata: listMeta }, TABLE_CONTENT_TYPE);
      }
      sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: listMeta, items: page.items });
      return;
    }
    if (method === 'POST') {
      const body = await parseBody(req);
      sendJson(res, 201, store.create(type, namespace, body, writeOptions(req, query, undefined)));
      return;
    }
    if (method === 'DELETE') {
      const body = await parseBody(req);
      const { dryRun } = deleteOptionsOf(body, query);
      const items = store.list(type, selection).map((object) => {
        const objectName = String((object['metadata'] as Record<string, unknown>)['name']);
        return store.delete(type, namespace, objectName, {}, { dryRun });
      });
      sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: store.resourceVersion }, items });
      return;
    }
    throw methodNotAllowed();
  }

  switch (method) {
    case 'GET': {
      const object = store.get(type, namespace, name);
      if (table) return sendJson(res, 200, toTable(type, [object], store.resourceVersion, includeObject), TABLE_CONTENT_TYPE);
      sendJson(res, 200, object);
      return;
    }
    case 'PUT': {
      const body = await parseBody(req);
      sendJson(res, 200, store.update(type, namespace, name, body, writeOptions(req, query, subresource)));
      return;
    }
    case 'PATCH': {
      const contentType = mediaType(req);
      if (!PATCH_TYPES.has(contentType)) throw unsupportedMediaType(contentType);
      const body = await parseBody(req);
      if (body === undefined) throw badRequest('the patch body is empty');
      sendJson(res, 200, store.patch(type, namespace, name, body, contentType, writeOptions(req, query, subresource)));
      return;
    }
    case 'DELETE': {
      if (subresource !== undefined) throw methodNotAllowed();
      const body = await parseBody(req);
      const { preconditions, dryRun } = deleteOptionsOf(body, query);
      const deleted = store.delete(type, namespace, name, preconditions, { dryRun });
      const uid = stringField((deleted['metadata'] ?? {}) as Record<string, unknown>, 'uid');
      sendJson(res, 200, success(type, name, uid));
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function route(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const segments = path.split('/').filter((s) => s !== '');

  if (method === 'GET') {
    if (path === '/version') return sendJson(res, 200, VERSION_INFO);
    if (/^\/(healthz|readyz|livez)(\/.*)?$/.test(path)) return sendText(res, 200, 'ok');
    if (path === '/api') return sendJson(res, 200, apiVersions(ctx.serverAddress()));
    if (path === '/apis') return sendJson(res, 200, apiGroupList(ctx.store.registry));
    if (path === '/openapi/v3') return sendJson(res, 200, await openApiRoot(ctx.store.registry));
    if (path.startsWith('/openapi/v3/')) {
      const gv = ctx.store.registry.groupVersions().find((candidate) => `/openapi/v3/${groupVersionPath(candidate)}` === path);
      if (!gv) throw pathNotFound();
      return sendJson(res, 200, (await openApiDocument(gv)).body);
    }
  }

  let group: string | undefined;
  let version: string | undefined;
  let rest: string[] = [];
  if (segments[0] === 'api' && segments[1] !== undefined) {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments[1] !== undefined) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
    if (version === undefined && method === 'GET') {
      const named = apiGroupList(ctx.store.registry)['groups'] as { name: string }[];
      const found = named.find((g) => g.name === group);
      if (!found) throw pathNotFound();
      return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...found });
    }
  }
  if (group === undefined || version === undefined) throw pathNotFound();
  const gv = findGroupVersion(ctx.store.registry, group, version);
  if (!gv) throw pathNotFound();
  if (rest.length === 0) {
    if (method !== 'GET') throw methodNotAllowed();
    return sendJson(res, 200, apiResourceList(gv));
  }
  const target = parseTarget(ctx.store.registry, rest, group, version);
  if (!target) throw pathNotFound();
  await serveResource(ctx, target, req, res, url.searchParams);
}

/** The sandbox's request handler: every error becomes a Status body with its HTTP code. */
export function createRequestHandler(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(ctx, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) {
        sendJson(res, error.code, error.status);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `internal error: ${message}`, reason: 'InternalError', code: 500 });
    });
  };
}
