import { describe, expect, it } from 'vitest';
import { kindSchema } from './openapi-schema.js';

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

  it('finds core kinds by the empty group and sandbox-style x-kubernetes-kind tags', () => {
    const core = { components: { schemas: { 'io.k8s.api.core.v1.ConfigMap': { type: 'object', 'x-kubernetes-kind': { group: '', kind: 'ConfigMap', version: 'v1' } } } } };
    expect(kindSchema(core, { group: 'core', version: 'v1', kind: 'ConfigMap' })).toMatchObject({ type: 'object', definitions: {} });
  });

  it('returns undefined for a kind the document does not have', () => {
    expect(kindSchema(document, { group: 'apps', version: 'v1', kind: 'Spaceship' })).toBeUndefined();
    expect(kindSchema({ paths: {} }, { group: 'apps', version: 'v1', kind: 'Deployment' })).toBeUndefined();
  });
});
