import { beforeAll, describe, expect, it } from 'vitest';
import { apiVersionOf } from '@tandem/sync';
import { RESOURCE_TYPES } from './resources.js';
import { closureOf, loadKindSchemas, parseModelDeclaration, type KindSchemas, type SchemaObject } from './schemas.js';

let kinds: KindSchemas;

beforeAll(async () => {
  kinds = await loadKindSchemas();
});

function schema(name: string): SchemaObject {
  const found = kinds.schemas.get(name);
  if (found === undefined) throw new Error(`no schema ${name}`);
  return found;
}

function property(name: string, field: string): SchemaObject {
  return (schema(name)['properties'] as Record<string, SchemaObject>)[field] ?? {};
}

/** The component a property refers to, directly or through a one-entry `allOf`. */
function referenceOf(node: SchemaObject): string | undefined {
  const allOf = node['allOf'];
  const reference = Array.isArray(allOf) ? (allOf[0] as SchemaObject)['$ref'] : node['$ref'];
  return typeof reference === 'string' ? reference.replace('#/components/schemas/', '') : undefined;
}

describe('the schemas of the served kinds', () => {
  it('has a schema for every served kind, named and tagged as Kubernetes names and tags it', () => {
    for (const type of RESOURCE_TYPES) {
      const name = kinds.roots.get(`${apiVersionOf(type)}/${type.kind}`);
      expect(name).toBe(`io.k8s.api.${type.group === '' ? 'core' : type.group}.${type.version}.${type.kind}`);
      expect(schema(name ?? '')['x-kubernetes-group-version-kind']).toEqual([{ group: type.group, kind: type.kind, version: type.version }]);
    }
  });

  it('names nested types in the package Kubernetes defines them in', () => {
    const deployment = [...closureOf(['io.k8s.api.apps.v1.Deployment'], kinds.schemas).keys()];
    expect(deployment).toEqual(
      expect.arrayContaining([
        'io.k8s.api.apps.v1.DeploymentSpec',
        'io.k8s.api.apps.v1.RollingUpdateDeployment',
        'io.k8s.api.core.v1.PodTemplateSpec',
        'io.k8s.api.core.v1.Container',
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
        'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
        'io.k8s.apimachinery.pkg.api.resource.Quantity',
      ]),
    );
    expect(deployment.filter((name) => name.startsWith('io.k8s.api.apps.'))).not.toContain('io.k8s.api.apps.v1.PodTemplateSpec');
    expect(kinds.schemas.has('io.k8s.api.core.v1.PersistentVolumeClaim')).toBe(true);
    expect(kinds.schemas.has('io.k8s.api.core.v1.EventSeries')).toBe(true);
  });

  it('maps every field type of the installed client-node, and every field of the merge-key table exists', () => {
    expect(kinds.unmapped).toEqual([]);
    expect(kinds.unknownTableFields).toEqual([]);
  });

  it('types scalars, maps, times, int-or-strings and quantities as the API server does', () => {
    expect(property('io.k8s.api.apps.v1.DeploymentSpec', 'replicas')).toMatchObject({ type: 'integer', format: 'int32' });
    expect(property('io.k8s.api.core.v1.PodSpec', 'activeDeadlineSeconds')).toMatchObject({ type: 'integer', format: 'int64' });
    expect(property('io.k8s.api.core.v1.Secret', 'data')).toMatchObject({ type: 'object', additionalProperties: { type: 'string', format: 'byte' } });
    expect(referenceOf(property('io.k8s.api.apps.v1.DeploymentSpec', 'template'))).toBe('io.k8s.api.core.v1.PodTemplateSpec');
    expect(referenceOf(property('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp'))).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.Time');
    expect(referenceOf(property('io.k8s.api.core.v1.Event', 'eventTime'))).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
    expect(referenceOf(property('io.k8s.api.core.v1.ServicePort', 'targetPort'))).toBe('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    expect(schema('io.k8s.apimachinery.pkg.apis.meta.v1.Time')).toMatchObject({ type: 'string', format: 'date-time' });
    expect(schema('io.k8s.apimachinery.pkg.util.intstr.IntOrString')).toMatchObject({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(schema('io.k8s.apimachinery.pkg.api.resource.Quantity')).toMatchObject({ oneOf: [{ type: 'string' }, { type: 'number' }] });
    const limits = property('io.k8s.api.core.v1.ResourceRequirements', 'limits');
    expect(limits).toMatchObject({ type: 'object' });
    expect(referenceOf(limits['additionalProperties'] as SchemaObject)).toBe('io.k8s.apimachinery.pkg.api.resource.Quantity');
    expect(referenceOf(property('io.k8s.api.core.v1.EmptyDirVolumeSource', 'sizeLimit'))).toBe('io.k8s.apimachinery.pkg.api.resource.Quantity');
  });

  it('puts what goes beside a reference into allOf with it, as the API server writes it', () => {
    expect(property('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp')).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }],
      description: expect.stringMatching(/^CreationTimestamp is a timestamp/),
    });
    expect(property('io.k8s.api.apps.v1.DeploymentSpec', 'template')).toEqual({ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' });
  });

  it("carries the list semantics of the sandbox's strategic merge patch", () => {
    const keyed = (key: string, strategy = 'merge'): SchemaObject => ({
      'x-kubernetes-list-map-keys': [key],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': key,
      'x-kubernetes-patch-strategy': strategy,
    });
    expect(property('io.k8s.api.core.v1.PodSpec', 'containers')).toMatchObject({ type: 'array', ...keyed('name') });
    expect(property('io.k8s.api.core.v1.PodSpec', 'volumes')).toMatchObject(keyed('name', 'merge,retainKeys'));
    expect(property('io.k8s.api.core.v1.Container', 'ports')).toMatchObject(keyed('containerPort'));
    expect(property('io.k8s.api.core.v1.Container', 'volumeMounts')).toMatchObject(keyed('mountPath'));
    expect(property('io.k8s.api.core.v1.ServiceSpec', 'ports')).toMatchObject(keyed('port'));
    expect(property('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers')).toMatchObject({ 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' });
    expect(property('io.k8s.api.core.v1.PodSpec', 'tolerations')).toMatchObject({ 'x-kubernetes-list-type': 'atomic' });
    expect(property('io.k8s.api.core.v1.Container', 'args')).toMatchObject({ 'x-kubernetes-list-type': 'atomic' });
    expect(property('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
  });

  it('describes types and fields and lists required fields, from the declarations client-node ships', () => {
    expect(schema('io.k8s.api.apps.v1.DeploymentSpec')).toMatchObject({
      description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.',
      required: ['selector', 'template'],
    });
    expect(property('io.k8s.api.apps.v1.DeploymentSpec', 'replicas')).toMatchObject({ description: expect.stringMatching(/^Number of desired pods\./) });
    expect(schema('io.k8s.api.core.v1.Container')['required']).toEqual(['name']);
    expect(property('io.k8s.api.core.v1.PodSpec', 'containers')).toMatchObject({ description: expect.stringMatching(/^List of containers belonging to the pod\./), type: 'array' });
  });

  it('reads a declaration: class and field comments, escapes undone, optional and required fields', () => {
    const docs = parseModelDeclaration(`/**
 * Kubernetes
 */
import { V1Thing } from '../models/V1Thing.js';
/**
* A widget is a thing.
*/
export declare class V1Widget {
    /**
    * The widget\\'s \\"name\\".
    */
    'name': string;
    'parts'?: Array<V1Thing>;
    /**
    * How many.
    */
    'count'?: number;
    static readonly discriminator: string | undefined;
}`);
    expect(docs.description).toBe('A widget is a thing.');
    expect([...docs.fields]).toEqual([
      ['name', 'The widget\'s "name".'],
      ['count', 'How many.'],
    ]);
    expect([...docs.required]).toEqual(['name']);
  });

  it('builds once: later calls share the schemas', async () => {
    expect(await loadKindSchemas()).toBe(kinds);
  });
});
