import { createHash } from 'node:crypto';
import { apiVersionOf, groupVersions, type GroupVersion, type ResourceType } from './resources.js';
import { VERSION_INFO } from './discovery.js';

/** `api/v1`, `apis/apps/v1`: the key of a group-version in the OpenAPI v3 root. */
export function openApiPath(gv: Pick<GroupVersion, 'group' | 'version'>): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

/** `io.k8s.api.apps.v1.Deployment`, the schema name a real cluster uses. */
function schemaName(type: ResourceType): string {
  return `io.k8s.api.${type.group === '' ? 'core' : type.group}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType): Record<string, string>[] {
  return [{ group: type.group, kind: type.kind, version: type.version }];
}

const queryParameter = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const pathParameter = (name: string): Record<string, unknown> => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });

const PATCH_CONTENT_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** The document of one group-version: per kind the operations kubectl checks, and a schema per kind. */
export function openApiDocument(gv: GroupVersion): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const prefix = `/${openApiPath(gv)}`;
  for (const type of gv.resources) {
    const ref = { $ref: `#/components/schemas/${schemaName(type)}` };
    const json = { 'application/json': { schema: ref }, 'application/yaml': { schema: ref } };
    const extension = { 'x-kubernetes-group-version-kind': gvk(type)[0] };
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
        requestBody: { content: Object.fromEntries(PATCH_CONTENT_TYPES.map((t) => [t, { schema: { type: 'object' } }])), required: true },
        responses: { '200': { description: 'OK', content: json } },
      },
      ...(suffix === ''
        ? { delete: { operationId: `delete${type.kind}`, 'x-kubernetes-action': 'delete', ...extension, parameters: writeParameters, responses: { '200': { description: 'OK' } } } }
        : {}),
    });
    paths[`${collection}/{name}`] = operations('', '');
    if (type.hasStatus) paths[`${collection}/{name}/status`] = operations('/status', 'Status');
    schemas[schemaName(type)] = {
      type: 'object',
      description: `${type.kind} (${apiVersionOf(type)}) as served by the Tandem sandbox.`,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        ...(type.hasSpec ? { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } : {}),
        ...(type.hasStatus ? { status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } : {}),
      },
      'x-kubernetes-preserve-unknown-fields': true,
      // The kind is named here but not tagged with `x-kubernetes-group-version-kind`: kubectl
      // computes apply patches from a tagged schema and warns on every field it lacks, while
      // untagged it uses its compiled-in types, which know every built-in field.
      'x-kubernetes-kind': gvk(type)[0],
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion }, paths, components: { schemas } };
}

/** A stable hash per document, for the `?hash=` that lets clients cache it. */
export function openApiHash(gv: GroupVersion): string {
  return createHash('sha512').update(JSON.stringify(openApiDocument(gv))).digest('hex').slice(0, 64).toUpperCase();
}

/** `GET /openapi/v3`: every group-version with its URL. */
export function openApiRoot(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) paths[openApiPath(gv)] = { serverRelativeURL: `/openapi/v3/${openApiPath(gv)}?hash=${openApiHash(gv)}` };
  return { paths };
}
