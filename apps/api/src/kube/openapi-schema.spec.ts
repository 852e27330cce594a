import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindSchema, type KindSchema } from './openapi-schema.js';

const document = {
  openapi: '3.0.0',
  components: {
    schemas: {
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
        properties: {
          metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
          spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }] },
        },
      },
      'io.k8s.api.apps.v1.DeploymentSpec': {
        type: 'object',
        properties: { replicas: { type: 'integer' }, template: { $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' } },
      },
      'io.k8s.api.core.v1.PodTemplateSpec': { type: 'object', properties: { metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } } },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
      'io.k8s.api.apps.v1.StatefulSet': { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }] },
    },
  },
};

describe(kindSchema.name, () => {
  it('returns the kind with every schema it reaches under definitions, references pointing there', () => {
    const schema = kindSchema(document, { group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(schema?.['properties']).toEqual({
      metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      spec: { allOf: [{ $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec' }] },
    });
    expect(Object.keys(schema?.definitions ?? {}).sort()).toEqual([
      'io.k8s.api.apps.v1.DeploymentSpec',
      'io.k8s.api.core.v1.PodTemplateSpec',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    ]);
    expect(JSON.stringify(schema)).not.toContain('#/components/');
  });

  it('finds core kinds by the empty group', () => {
    const core = { components: { schemas: { 'io.k8s.api.core.v1.ConfigMap': { type: 'object', 'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }] } } } };
    expect(kindSchema(core, { group: 'core', version: 'v1', kind: 'ConfigMap' })).toMatchObject({ type: 'object', definitions: {} });
  });

  it('returns undefined for a kind the document does not have', () => {
    expect(kindSchema(document, { group: 'apps', version: 'v1', kind: 'Spaceship' })).toBeUndefined();
    expect(kindSchema({ paths: {} }, { group: 'apps', version: 'v1', kind: 'Deployment' })).toBeUndefined();
  });
});

type Node = Record<string, unknown>;

/** Follows `$ref` and single-entry `allOf` to the schema they name, as a validator would. */
function resolved(schema: KindSchema, node: unknown): Node {
  let current = node as Node;
  for (;;) {
    const allOf = current['allOf'];
    const reference = Array.isArray(allOf) && allOf.length === 1 ? (allOf[0] as Node)['$ref'] : current['$ref'];
    if (typeof reference !== 'string') return current;
    const target = schema.definitions[decodeURIComponent(reference.replace('#/definitions/', ''))];
    if (target === undefined) throw new Error(`dangling reference ${reference}`);
    current = target as Node;
  }
}

/** The schema at a dotted path of properties (`[]` steps into array items). */
function at(schema: KindSchema, path: string): Node {
  let node = resolved(schema, schema);
  for (const step of path.split('.')) {
    node = step === '[]' ? resolved(schema, node['items']) : resolved(schema, (node['properties'] as Record<string, unknown> | undefined)?.[step]);
  }
  return node;
}

describe(`${kindSchema.name} of the sandbox's OpenAPI`, () => {
  let sandbox: Sandbox;
  const openApi = async (path: string): Promise<unknown> => (await fetch(`${sandbox.url}/openapi/v3/${path}`)).json();

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: false });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('gives Deployment typed fields down to its containers, every reference resolvable', async () => {
    const schema = kindSchema(await openApi('apis/apps/v1'), { group: 'apps', version: 'v1', kind: 'Deployment' });
    if (schema === undefined) throw new Error('no Deployment schema');
    expect(schema.title).toBe('io.k8s.api.apps.v1.Deployment');
    expect(at(schema, 'spec.replicas')).toMatchObject({ type: 'integer' });
    expect(at(schema, 'spec.minReadySeconds')).toMatchObject({ type: 'integer' });
    expect(at(schema, 'spec.paused')).toMatchObject({ type: 'boolean' });
    expect(at(schema, 'spec.template.spec.containers')).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name' });
    expect(at(schema, 'spec.template.spec.containers.[].name')).toMatchObject({ type: 'string' });
    expect(at(schema, 'spec.template.spec.containers.[].image')).toMatchObject({ type: 'string' });
    expect(at(schema, 'spec.template.spec.containers.[].ports.[].containerPort')).toMatchObject({ type: 'integer' });
    expect(at(schema, 'spec.strategy.rollingUpdate.maxSurge')).toMatchObject({ oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(at(schema, 'metadata.labels')).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(at(schema, 'metadata.creationTimestamp')).toMatchObject({ type: 'string', format: 'date-time' });

    const references = JSON.stringify(schema).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      expect(Object.keys(schema.definitions)).toContain(decodeURIComponent(reference.slice('"$ref":"#/definitions/'.length, -1)));
    }
  });

  it('gives the core kinds their own schemas', async () => {
    const core = await openApi('api/v1');
    const configMap = kindSchema(core, { group: 'core', version: 'v1', kind: 'ConfigMap' });
    if (configMap === undefined) throw new Error('no ConfigMap schema');
    expect(at(configMap, 'data')).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    const service = kindSchema(core, { group: 'core', version: 'v1', kind: 'Service' });
    if (service === undefined) throw new Error('no Service schema');
    expect(at(service, 'spec.ports.[].targetPort')).toMatchObject({ format: 'int-or-string' });
  });
});
