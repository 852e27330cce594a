import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersionPath } from '@tandem/sync';
import type { GroupVersion, ResourceRegistry, ResourceType } from './resources.js';
import { VERSION_INFO } from './discovery.js';
import { closureOf, loadKindSchemas, type KindSchemas } from './schemas.js';

function gvk(type: ResourceType): Record<string, string> {
  return { group: type.group, kind: type.kind, version: type.version };
}

/** A custom kind's component name as the API server writes it: the group reversed (`com.example.v1.Widget`). */
function customSchemaName(type: ResourceType): string {
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The component name of a served kind's schema (`io.k8s.api.apps.v1.Deployment`). */
function schemaName(type: ResourceType, kinds: KindSchemas): string {
  if (type.custom !== undefined) return customSchemaName(type);
  const name = kinds.roots.get(`${apiVersionOf(type)}/${type.kind}`);
  if (name === undefined) throw new Error(`no schema for ${apiVersionOf(type)} ${type.kind}`);
  return name;
}

const queryParameter = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const pathParameter = (name: string): Record<string, unknown> => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });

const PATCH_CONTENT_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
/** Custom resources take no strategic merge patch; kubectl reads this to send them merge patches. */
const CUSTOM_PATCH_CONTENT_TYPES = PATCH_CONTENT_TYPES.filter((type) => type !== 'application/strategic-merge-patch+json');

/** A JSON value with its object keys in order, as the API server (Go maps) writes them. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * A custom kind's schema as the API server publishes it: the CRD's openAPIV3Schema with
 * `apiVersion`, `kind` and `metadata` typed, and its group-version-kind.
 */
function customSchema(type: ResourceType): Record<string, unknown> {
  const declared = sortedKeys(type.custom?.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Record<string, unknown>;
  const properties = typeof declared['properties'] === 'object' && declared['properties'] !== null ? (declared['properties'] as Record<string, unknown>) : {};
  return {
    ...declared,
    type: 'object',
    properties: {
      ...properties,
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }], description: "Standard object's metadata." },
    },
    'x-kubernetes-group-version-kind': [gvk(type)],
  };
}

/**
 * The document of one group-version: per kind the operations kubectl checks, and the schema of
 * each kind with every schema it references, as a real API server serves them.
 */
function buildDocument(gv: GroupVersion, kinds: KindSchemas): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const prefix = `/${groupVersionPath(gv)}`;
  for (const type of gv.resources) {
    const ref = { $ref: `#/components/schemas/${schemaName(type, kinds)}` };
    const json = { 'application/json': { schema: ref }, 'application/yaml': { schema: ref } };
    const extension = { 'x-kubernetes-group-version-kind': gvk(type) };
    const collection = type.namespaced ? `${prefix}/namespaces/{namespace}/${type.name}` : `${prefix}/${type.name}`;
    const namespaceParameters = type.namespaced ? [pathParameter('namespace')] : [];
    const writeParameters = [
      queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
      queryParameter('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
      queryParameter('fieldValidation', 'Instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
    ];
    paths[collection] = {
      parameters: namespaceParameters,
      get: { operationId: `list${type.kind}`, 'x-kubernetes-action': 'list', ...extension, responses: { '200': { description: 'OK' } } },
      post: {
        operationId: `create${type.kind}`,
        'x-kubernetes-action': 'post',
        ...extension,
        parameters: writeParameters,
        requestBody: { content: json, required: true },
        responses: { '201': { description: 'Created', content: json } },
      },
    };
    const item = { parameters: [pathParameter('name'), ...namespaceParameters] };
    const operations = (suffix: string, operationSuffix: string): Record<string, unknown> => ({
      ...item,
      get: { operationId: `read${type.kind}${operationSuffix}`, 'x-kubernetes-action': 'get', ...extension, responses: { '200': { description: 'OK', content: json } } },
      put: {
        operationId: `replace${type.kind}${operationSuffix}`,
        'x-kubernetes-action': 'put',
        ...extension,
        parameters: writeParameters,
        requestBody: { content: json, required: true },
        responses: { '200': { description: 'OK', content: json } },
      },
      patch: {
        operationId: `patch${type.kind}${operationSuffix}`,
        'x-kubernetes-action': 'patch',
        ...extension,
        parameters: [...writeParameters, queryParameter('force', 'Force is going to "force" Apply requests.')],
        requestBody: { content: Object.fromEntries((type.custom === undefined ? PATCH_CONTENT_TYPES : CUSTOM_PATCH_CONTENT_TYPES).map((t) => [t, { schema: { type: 'object' } }])), required: true },
        responses: { '200': { description: 'OK', content: json } },
      },
      ...(suffix === ''
        ? { delete: { operationId: `delete${type.kind}`, 'x-kubernetes-action': 'delete', ...extension, parameters: writeParameters, responses: { '200': { description: 'OK' } } } }
        : {}),
    });
    paths[`${collection}/{name}`] = operations('', '');
    if (type.hasStatus) paths[`${collection}/{name}/status`] = operations('/status', 'Status');
  }
  const custom = gv.resources.filter((type) => type.custom !== undefined);
  const builtIn = gv.resources.filter((type) => type.custom === undefined).map((type) => schemaName(type, kinds));
  const found = closureOf(custom.length > 0 ? [...builtIn, OBJECT_META] : builtIn, kinds.schemas);
  for (const type of custom) found.set(customSchemaName(type), customSchema(type));
  const schemas = [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion }, paths, components: { schemas: Object.fromEntries(schemas) } };
}

export interface OpenApiDocument {
  readonly body: Record<string, unknown>;
  /** A stable hash of the body, for the `?hash=` that lets clients cache it. */
  readonly hash: string;
}

const documents = new Map<string, Promise<OpenApiDocument>>();

function documentOf(gv: GroupVersion, kinds: KindSchemas): OpenApiDocument {
  const body = buildDocument(gv, kinds);
  return { body, hash: createHash('sha512').update(JSON.stringify(body)).digest('hex').slice(0, 64).toUpperCase() };
}

/** The OpenAPI v3 document of one group-version: built once for built-in kinds, on each request where CRDs define the kinds. */
export function openApiDocument(gv: GroupVersion): Promise<OpenApiDocument> {
  if (gv.resources.some((type) => type.custom !== undefined)) return loadKindSchemas().then((kinds) => documentOf(gv, kinds));
  const key = groupVersionPath(gv);
  let document = documents.get(key);
  if (document === undefined) {
    document = loadKindSchemas().then((kinds) => documentOf(gv, kinds));
    documents.set(key, document);
  }
  return document;
}

/** `GET /openapi/v3`: every group-version with its URL. */
export async function openApiRoot(registry: ResourceRegistry): Promise<Record<string, unknown>> {
  const paths: Record<string, unknown> = {};
  for (const gv of registry.groupVersions()) paths[groupVersionPath(gv)] = { serverRelativeURL: `/openapi/v3/${groupVersionPath(gv)}?hash=${(await openApiDocument(gv)).hash}` };
  return { paths };
}
