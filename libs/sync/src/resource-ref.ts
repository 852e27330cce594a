/**
 * Which Kubernetes object, in which cluster context: the address every edit, lock,
 * presence entry and history record is filed under.
 */
import { z } from 'zod';

export interface ResourceRef {
  /** The kubeconfig context (or the embedded sandbox) the object lives in. */
  readonly context: string;
  /** API group; `''` is the core group (pods, services, configmaps). */
  readonly group: string;
  readonly version: string;
  /** Plural resource name as in the URL: `deployments`, `pods`. */
  readonly resource: string;
  /** Absent for cluster-scoped resources (an empty string counts as absent). */
  readonly namespace?: string;
  readonly name: string;
}

export class ResourceKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid resource key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'ResourceKeyError';
  }
}

// encodeURIComponent escapes '/' and '%', so six parts split on '/' unambiguously.
const encode = (part: string): string => encodeURIComponent(part);

/**
 * The canonical string form `context/group/version/resource/namespace/name` (each part
 * URI-encoded; core group and cluster scope as empty parts), e.g.
 * `prod/apps/v1/deployments/shop/web` or `prod//v1/namespaces//shop`.
 */
export function resourceKey(ref: ResourceRef): string {
  return [ref.context, ref.group, ref.version, ref.resource, ref.namespace ?? '', ref.name].map(encode).join('/');
}

/** Parses `resourceKey`'s output; throws `ResourceKeyError` for anything else. */
export function parseResourceKey(key: string): ResourceRef {
  const parts = key.split('/');
  if (parts.length !== 6) throw new ResourceKeyError(key, `expected 6 '/'-separated parts (context/group/version/resource/namespace/name), found ${parts.length}`);
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    throw new ResourceKeyError(key, 'a part has a malformed %-escape');
  }
  const [context, group, version, resource, namespace, name] = decoded as [string, string, string, string, string, string];
  if (decoded.some((part, i) => encode(part) !== parts[i])) throw new ResourceKeyError(key, 'not in canonical form (parts must be encoded exactly as resourceKey does)');
  for (const [label, value] of [
    ['context', context],
    ['version', version],
    ['resource', resource],
    ['name', name],
  ] as const) {
    if (value === '') throw new ResourceKeyError(key, `the ${label} part is empty`);
  }
  return namespace === '' ? { context, group, version, resource, name } : { context, group, version, resource, namespace, name };
}

/** True when both refs name the same object. */
export function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  return resourceKey(a) === resourceKey(b);
}

/** A resource type: group (`''` for core), version, and plural resource name as in the URL. */
export interface ResourceTypeRef {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/**
 * A resource type in a context, in one namespace or cluster-wide: what a list, its room and a
 * shared watch cover. A `ResourceRef` without its name; the protocol's `ListRef` has this shape.
 */
export interface ResourceListRef extends ResourceTypeRef {
  readonly context: string;
  /** Absent for a cluster-wide list (an empty string counts as absent). */
  readonly namespace?: string;
}

/** `''` (as in a ResourceRef) and `core` (as in the gateway's URLs) both name the core group. */
export function isCoreGroup(group: string): boolean {
  return group === '' || group === 'core';
}

/** `apiVersion` as the type's objects carry it: `v1` for the core group, else `group/version`. */
export function apiVersionOf(type: Pick<ResourceTypeRef, 'group' | 'version'>): string {
  return isCoreGroup(type.group) ? type.version : `${type.group}/${type.version}`;
}

/**
 * Where the group-version is served, relative to the API server's root (and to `/openapi/v3/`):
 * `api/v1` for the core group, else `apis/group/version`.
 */
export function groupVersionPath(type: Pick<ResourceTypeRef, 'group' | 'version'>): string {
  return isCoreGroup(type.group) ? `api/${type.version}` : `apis/${type.group}/${type.version}`;
}

/** The ref's namespace, or undefined for a cluster-scoped object or a cluster-wide list (`''` included). */
export function namespaceOf(ref: { readonly namespace?: string | undefined }): string | undefined {
  return ref.namespace === undefined || ref.namespace === '' ? undefined : ref.namespace;
}

/** Just the resource type of a ref or a list, as a cluster client asks for it. */
export function resourceTypeOf(ref: ResourceTypeRef): ResourceTypeRef {
  return { group: ref.group, version: ref.version, resource: ref.resource };
}

/**
 * The list an object belongs to (its type in its namespace), or a list itself in canonical form:
 * no name, and no namespace for a cluster-wide list. Equal lists give equal objects (and keys).
 */
export function listRefOf(ref: ResourceListRef): ResourceListRef {
  const { context, group, version, resource } = ref;
  const namespace = namespaceOf(ref);
  return namespace === undefined ? { context, group, version, resource } : { context, group, version, resource, namespace };
}

/**
 * The ref of the object named `name` in a list; `namespace` is the object's own (a list across
 * all namespaces holds objects of many), else the list's.
 */
export function resourceRefIn(list: ResourceListRef, name: string, namespace?: string): ResourceRef {
  const { context, group, version, resource } = list;
  const scope = namespaceOf({ namespace }) ?? namespaceOf(list);
  return scope === undefined ? { context, group, version, resource, name } : { context, group, version, resource, namespace: scope, name };
}

/**
 * The canonical string form of a list (and of its room and shared watch):
 * `context/group/version/resource/namespace`, each part URI-encoded as in `resourceKey`, e.g.
 * `prod/apps/v1/deployments/shop` or `prod//v1/namespaces/` for a cluster-wide list.
 */
export function listKey(list: ResourceListRef): string {
  return [list.context, list.group, list.version, list.resource, namespaceOf(list) ?? ''].map(encode).join('/');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// What the API server accepts as an object name in a URL path segment (RBAC names contain ':').
// eslint-disable-next-line no-control-regex
const PATH_SEGMENT_NAME = /^[^/%\s\u0000-\u001f\u007f]+$/;

/**
 * An object's name as it may appear in a URL path segment of the API server: never `.` or `..`
 * (which a URL resolves to another path), `/`, `%`, whitespace or control characters. The socket
 * schemas and the gateway's REST routes both use it.
 */
export const ResourceNameSchema = z
  .string()
  .min(1, 'name must not be empty')
  .max(253, 'name must be at most 253 characters')
  .regex(PATH_SEGMENT_NAME, "name must not contain '/', '%', whitespace or control characters")
  .refine((n) => n !== '.' && n !== '..', "name must not be '.' or '..'");

/** Runtime validation of a `ResourceRef` from outside (socket messages, URLs, Redis). */
export const ResourceRefSchema = z.strictObject({
  context: z
    .string()
    .min(1, 'context must not be empty')
    .max(253, 'context must be at most 253 characters')
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'context must not contain control characters'),
  group: z
    .string()
    .max(253, 'group must be at most 253 characters')
    .refine((g) => g === '' || DNS_SUBDOMAIN.test(g), "group must be '' (core) or a lowercase DNS subdomain such as apps or example.com"),
  version: z.string().max(63, 'version must be at most 63 characters').regex(DNS_LABEL, 'version must be a lowercase DNS label such as v1 or v1beta1'),
  resource: z.string().max(253, 'resource must be at most 253 characters').regex(DNS_SUBDOMAIN, 'resource must be a lowercase plural such as deployments'),
  namespace: z.string().max(63, 'namespace must be at most 63 characters').regex(DNS_LABEL, 'namespace must be a lowercase DNS label such as default or kube-system').optional(),
  name: ResourceNameSchema,
}) satisfies z.ZodType<ResourceRef>;
