/**
 * OpenAPI v3 component schemas for the kinds the sandbox serves, derived from the model metadata
 * @kubernetes/client-node generates from Kubernetes' own OpenAPI (`V1DeploymentSpec.attributeTypeMap`:
 * name, type, format per field), named and shaped the way a real API server names and shapes them,
 * with the list semantics of the merge-key table in @tandem/sync, which the sandbox's strategic
 * merge patch also reads.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { apiVersionOf, fieldShape, itemShape, shapeOfKind, type Shape } from '@tandem/sync';
import { RESOURCE_TYPES, type ResourceType } from './resources.js';

/** One field of a generated client-node model. */
export interface ModelAttribute {
  readonly name: string;
  /** The field's JSON name. */
  readonly baseName: string;
  /** `string`, `number`, `boolean`, `Date`, `IntOrString`, `any`, `Array<X>`, `{ [key: string]: X; }` or a model name. */
  readonly type: string;
  readonly format: string;
}

export interface Model {
  readonly attributeTypeMap: readonly ModelAttribute[];
}

/** Finds a client-node model class by its name (`V1DeploymentSpec`, `CoreV1Event`). */
export type ModelLookup = (name: string) => Model | undefined;

/** What a model's type declaration says beyond its runtime metadata: descriptions, and which fields are required. */
export interface ModelDocs {
  readonly description?: string;
  /** By field name (the TypeScript name, `name` in `attributeTypeMap`). */
  readonly fields: ReadonlyMap<string, string>;
  readonly required: ReadonlySet<string>;
}

export type DocsLookup = (model: string) => ModelDocs | undefined;

export type SchemaObject = Record<string, unknown>;

export interface KindSchemas {
  /** Component name of each kind's schema, by `apiVersion/Kind`. */
  readonly roots: ReadonlyMap<string, string>;
  /** Component schemas by name: every kind with everything it references. */
  readonly schemas: ReadonlyMap<string, SchemaObject>;
  /** Field types no rule maps (schemas left open for them); empty with the pinned client-node. */
  readonly unmapped: readonly string[];
  /** Fields the merge-key table names that the kind's types lack; empty when the table agrees with Kubernetes. */
  readonly unknownTableFields: readonly string[];
}

const COMPONENT_REF = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const FIELDS_V1 = `${META}.FieldsV1`;
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Types of apimachinery's meta/v1 package, which client-node names like any API type (`V1ObjectMeta`). */
const META_TYPES = new Set(['ObjectMeta', 'ListMeta', 'ManagedFieldsEntry', 'OwnerReference', 'LabelSelector', 'LabelSelectorRequirement', 'Condition', 'Status', 'StatusDetails', 'StatusCause']);

/**
 * Fields that are `resource.Quantity` in Kubernetes; client-node types them as plain strings, but a
 * quantity may be written as a number (`cpu: 1`), and an editor must not flag that.
 */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1PodSpec.overhead',
  'V1PodStatus.allocatedResources',
  'V1ContainerStatus.allocatedResources',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1NodeAllocatableResourceClaimStatus.resources',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1ResourceFieldSelector.divisor',
]);

/** Schemas that no model describes: what client-node maps to `Date`, `IntOrString`, `any`, and quantities. */
const BASE_SCHEMAS: Readonly<Record<string, SchemaObject>> = {
  [TIME]: { description: 'Time is a timestamp in RFC 3339 form, e.g. 2024-12-11T00:00:00Z.', type: 'string', format: 'date-time' },
  [MICRO_TIME]: { description: 'MicroTime is a timestamp with microseconds, in RFC 3339 form.', type: 'string', format: 'date-time' },
  [FIELDS_V1]: { description: 'FieldsV1 is the set of fields a manager owns, in the fieldsV1 format.', type: 'object' },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string, e.g. a port number or name.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  [QUANTITY]: {
    description: 'Quantity is a fixed-point number with an optional suffix, e.g. 100m, 64Mi, 1.5 or 2.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
};

/** Core kinds whose types the served kinds of other groups embed (PodTemplateSpec, PersistentVolumeClaim). */
const CORE_EMBEDDED_KINDS = ['PodTemplate', 'PersistentVolumeClaim'];

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
/** `V1DeploymentSpec`, `V1beta1Foo`, `CoreV1Event`: optional group, version, type name. */
const MODEL_NAME = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/;

const ref = (name: string): SchemaObject => ({ $ref: `${COMPONENT_REF}${name}` });

/** The element type of `Array<X>` or `{ [key: string]: X; }`, else the type itself. */
function innerType(type: string): string {
  return ARRAY.exec(type)?.[1] ?? MAP.exec(type)?.[1] ?? type;
}

/** The client-node model of a served kind: `CoreV1Event` where the plain name is taken by another group, else `V1Deployment`. */
function modelNameOf(type: Pick<ResourceType, 'group' | 'version' | 'kind'>, lookup: ModelLookup): string | undefined {
  const version = `${type.version[0]?.toUpperCase() ?? ''}${type.version.slice(1)}`;
  const group = type.group === '' ? 'Core' : `${type.group[0]?.toUpperCase() ?? ''}${type.group.slice(1).replace(/\..*$/, '')}`;
  return [`${group}${version}${type.kind}`, `${version}${type.kind}`].find((name) => lookup(name) !== undefined);
}

/** The list and patch extensions Kubernetes puts on a field, from the merge-key table's shape of it. */
function extensionsOf(shape: Shape | undefined, isArray: boolean): SchemaObject {
  if (shape?.type === 'list' && shape.mergeKey !== undefined) {
    const retainKeys = shape.items?.type === 'object' && shape.items.retainKeys === true;
    return {
      'x-kubernetes-list-map-keys': [shape.mergeKey],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': shape.mergeKey,
      'x-kubernetes-patch-strategy': retainKeys ? 'merge,retainKeys' : 'merge',
    };
  }
  if (shape?.type === 'list' && shape.strategy === 'merge') return { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' };
  if (shape?.type === 'object' && shape.retainKeys === true && !isArray) return { 'x-kubernetes-patch-strategy': 'retainKeys' };
  return isArray ? { 'x-kubernetes-list-type': 'atomic' } : {};
}

class SchemaBuilder {
  private readonly names = new Map<string, string>();
  private readonly groups = new Map<string, string>();
  /** Extensions per `Model.field` from the merge-key table. */
  private readonly extensions = new Map<string, SchemaObject>();
  readonly schemas = new Map<string, SchemaObject>();
  readonly unmapped = new Set<string>();
  readonly unknownTableFields = new Set<string>();

  constructor(
    private readonly lookup: ModelLookup,
    private readonly docs: DocsLookup,
  ) {}

  /** Claims every model reachable from `root` not yet claimed for `group`, so a type is named in the group of the first kind that reaches it. */
  claim(root: string, group: string): void {
    for (const name of this.reachable([root])) if (!this.groups.has(name)) this.groups.set(name, group);
  }

  /** `io.k8s.api.apps.v1.DeploymentSpec` for `V1DeploymentSpec`, as the API server names it. */
  componentName(model: string): string {
    const known = this.names.get(model);
    if (known !== undefined) return known;
    const [, prefixGroup, version = 'V1', type = model] = MODEL_NAME.exec(model) ?? [];
    const group = prefixGroup?.toLowerCase() ?? this.groups.get(model) ?? '';
    const name = META_TYPES.has(type) ? `${META}.${type}` : `io.k8s.api.${group === '' ? 'core' : group}.${version.toLowerCase()}.${type}`;
    this.names.set(model, name);
    return name;
  }

  /** Records the table's list semantics along a kind's types; two different answers for one field are a table error. */
  annotate(model: string, shape: Shape, path: string): void {
    if (shape.type !== 'object') return;
    const attributes = this.lookup(model)?.attributeTypeMap ?? [];
    for (const field of Object.keys(shape.fields ?? {})) {
      if (!attributes.some((a) => a.baseName === field)) this.unknownTableFields.add(`${path}.${field}`);
    }
    for (const attribute of attributes) {
      const field = fieldShape(shape, attribute.baseName);
      if (field === undefined) continue;
      const isArray = ARRAY.test(attribute.type);
      const extensions = extensionsOf(field, isArray);
      const key = `${model}.${attribute.baseName}`;
      const previous = this.extensions.get(key);
      if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(extensions)) {
        throw new Error(`The merge-key table gives ${key} two different list semantics (at ${path}.${attribute.baseName})`);
      }
      if (Object.keys(extensions).length > 0) this.extensions.set(key, extensions);
      const inner = innerType(attribute.type);
      const innerShape = isArray ? itemShape(field) : field;
      if (this.lookup(inner) !== undefined && innerShape !== undefined) this.annotate(inner, innerShape, `${path}.${attribute.baseName}`);
    }
  }

  /** Adds the component schema of `model` and of everything it references; returns its name. */
  add(model: string, tag?: SchemaObject): string {
    const name = this.componentName(model);
    if (this.schemas.has(name)) return name;
    const found = this.lookup(model);
    if (found === undefined) throw new Error(`@kubernetes/client-node has no model ${model}`);
    const docs = this.docs(model);
    const properties: Record<string, SchemaObject> = {};
    const required = found.attributeTypeMap.filter((a) => docs?.required.has(a.name)).map((a) => a.baseName);
    const schema: SchemaObject = {
      ...(docs?.description !== undefined ? { description: docs.description } : {}),
      type: 'object',
      ...(required.length > 0 ? { required } : {}),
      properties,
      ...(tag ? { 'x-kubernetes-group-version-kind': [tag] } : {}),
    };
    this.schemas.set(name, schema);
    for (const attribute of found.attributeTypeMap) {
      const key = `${model}.${attribute.baseName}`;
      const value = QUANTITY_FIELDS.has(key) ? this.quantity(attribute.type) : this.typeSchema(attribute.type, attribute.format, key);
      const description = docs?.fields.get(attribute.name);
      const extensions = this.extensions.get(key) ?? extensionsOf(undefined, ARRAY.test(attribute.type));
      properties[attribute.baseName] = withSiblings(value, { ...(description !== undefined ? { description } : {}), ...extensions });
    }
    return name;
  }

  /** Every model reachable from `roots`. */
  reachable(roots: readonly string[]): Set<string> {
    const seen = new Set<string>();
    const queue = [...roots];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const model = this.lookup(name);
      if (model === undefined || seen.has(name)) continue;
      seen.add(name);
      for (const attribute of model.attributeTypeMap) queue.push(innerType(attribute.type));
    }
    return seen;
  }

  private base(name: string): SchemaObject {
    const schema = BASE_SCHEMAS[name];
    if (schema !== undefined) this.schemas.set(name, schema);
    return ref(name);
  }

  private quantity(type: string): SchemaObject {
    return MAP.test(type) ? { type: 'object', additionalProperties: this.base(QUANTITY) } : this.base(QUANTITY);
  }

  private typeSchema(type: string, format: string, where: string): SchemaObject {
    const item = ARRAY.exec(type)?.[1];
    if (item !== undefined) return { type: 'array', items: this.typeSchema(item, format, where) };
    const value = MAP.exec(type)?.[1];
    if (value !== undefined) return { type: 'object', additionalProperties: this.typeSchema(value, format, where) };
    const withFormat = format === '' ? {} : { format };
    switch (type) {
      case 'string':
        return { type: 'string', ...withFormat };
      case 'boolean':
        return { type: 'boolean' };
      case 'number':
        return { type: format === 'int32' || format === 'int64' ? 'integer' : 'number', ...withFormat };
      case 'Date':
        return this.base(TIME);
      case 'V1MicroTime':
        return this.base(MICRO_TIME);
      case 'IntOrString':
        return this.base(INT_OR_STRING);
      case 'object':
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      case 'any':
        return where === 'V1ManagedFieldsEntry.fieldsV1' ? this.base(FIELDS_V1) : { 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (this.lookup(type) !== undefined) return ref(this.add(type));
    this.unmapped.add(`${where}: ${type}`);
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** Keys beside a `$ref` are ignored in OpenAPI 3.0, so the API server wraps the reference in `allOf`, as here. */
function withSiblings(schema: SchemaObject, siblings: SchemaObject): SchemaObject {
  if (Object.keys(siblings).length === 0) return schema;
  return '$ref' in schema ? { allOf: [schema], ...siblings } : { ...siblings, ...schema };
}

/** The client-node models of `types` and of the core kinds they embed. */
function rootModels(types: readonly ResourceType[], lookup: ModelLookup): { kinds: { type: ResourceType; model: string }[]; embedded: string[] } {
  const kinds = types.map((type) => {
    const model = modelNameOf(type, lookup);
    if (model === undefined) throw new Error(`@kubernetes/client-node has no model for ${apiVersionOf(type)} ${type.kind}`);
    return { type, model };
  });
  return { kinds, embedded: CORE_EMBEDDED_KINDS.flatMap((kind) => modelNameOf({ group: '', version: 'v1', kind }, lookup) ?? []) };
}

/** Every model the schemas of `types` are built from. */
export function modelsOf(types: readonly ResourceType[], lookup: ModelLookup): Set<string> {
  const { kinds } = rootModels(types, lookup);
  return new SchemaBuilder(lookup, () => undefined).reachable(kinds.map((k) => k.model));
}

/** The component schemas of `types`, from client-node's models found by `lookup`, with the descriptions `docs` has. */
export function buildKindSchemas(types: readonly ResourceType[], lookup: ModelLookup, docs: DocsLookup = () => undefined): KindSchemas {
  const builder = new SchemaBuilder(lookup, docs);
  const { kinds, embedded } = rootModels(types, lookup);
  // Core types first, so that PodTemplateSpec stays core although only apps kinds serve it here.
  for (const { type, model } of kinds) if (type.group === '') builder.claim(model, '');
  for (const model of embedded) builder.claim(model, '');
  for (const { type, model } of kinds) builder.claim(model, type.group);
  for (const { type, model } of kinds) builder.annotate(model, shapeOfKind(apiVersionOf(type), type.kind), type.kind);
  const roots = new Map<string, string>();
  for (const { type, model } of kinds) {
    roots.set(`${apiVersionOf(type)}/${type.kind}`, builder.add(model, { group: type.group, kind: type.kind, version: type.version }));
  }
  return { roots, schemas: builder.schemas, unmapped: [...builder.unmapped], unknownTableFields: [...builder.unknownTableFields] };
}

/** The component names a schema references. */
function referencesOf(node: unknown, found: string[]): string[] {
  if (Array.isArray(node)) for (const item of node) referencesOf(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) found.push(value.slice(COMPONENT_REF.length));
      else referencesOf(value, found);
    }
  }
  return found;
}

/** The schemas named in `roots` and every schema they reference, transitively. */
export function closureOf(roots: readonly string[], schemas: ReadonlyMap<string, SchemaObject>): Map<string, SchemaObject> {
  const out = new Map<string, SchemaObject>();
  const queue = [...roots];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const schema = schemas.get(name);
    if (schema === undefined || out.has(name)) continue;
    out.set(name, schema);
    queue.push(...referencesOf(schema, []));
  }
  return out;
}

const DOC_COMMENT = /[ \t]*\/\*\*\n((?:[ \t]*\*(?!\/).*\n)+?)[ \t]*\*\/\s*\n/y;
const FIELD = /^[ \t]*'([^']+)'(\?)?:/;

/** The text of a generated doc comment's lines (`* text`), with the generator's escapes undone. */
function commentText(lines: string): string {
  return lines
    .split('\n')
    .map((line) => line.replace(/^[ \t]*\* ?/, ''))
    .join('\n')
    .trim()
    .replace(/\\(['"\\])/g, '$1');
}

/** Reads descriptions and required fields from a generated model's declaration (`V1DeploymentSpec.d.ts`). */
export function parseModelDeclaration(text: string): ModelDocs {
  const fields = new Map<string, string>();
  const required = new Set<string>();
  let description: string | undefined;
  let pending: string | undefined;
  for (let offset = 0; offset < text.length; ) {
    DOC_COMMENT.lastIndex = offset;
    const comment = DOC_COMMENT.exec(text);
    if (comment !== null && comment.index === offset) {
      pending = commentText(comment[1] ?? '');
      offset = DOC_COMMENT.lastIndex;
      continue;
    }
    const end = text.indexOf('\n', offset);
    const line = text.slice(offset, end < 0 ? text.length : end);
    offset = end < 0 ? text.length : end + 1;
    if (line.trim() === '') continue;
    const field = FIELD.exec(line);
    if (/^export declare class /.test(line)) description = pending;
    else if (field?.[1] !== undefined) {
      if (pending !== undefined) fields.set(field[1], pending);
      if (field[2] === undefined) required.add(field[1]);
    }
    pending = undefined;
  }
  return { ...(description !== undefined ? { description } : {}), fields, required };
}

/**
 * client-node's generated models alone: the package's main entry re-exports them, but loading it
 * whole (HTTP, watch, exec, ...) takes over twice as long (about 0.7 s against 0.3 s), which the
 * first OpenAPI request of a sandbox running on its own would wait for.
 */
const MODELS = '@kubernetes/client-node/dist/gen/models/all.js';

/** The descriptions of `models` from the declarations client-node ships beside them; none where a file cannot be read. */
async function readModelDocs(models: Iterable<string>): Promise<DocsLookup> {
  const directory = dirname(createRequire(import.meta.url).resolve(MODELS));
  const entries = await Promise.all(
    [...models].map(async (model) => {
      try {
        return [model, parseModelDeclaration(await readFile(join(directory, `${model}.d.ts`), 'utf8'))] as const;
      } catch {
        return [model, undefined] as const;
      }
    }),
  );
  const docs = new Map(entries);
  return (model) => docs.get(model);
}

let loaded: Promise<KindSchemas> | undefined;

/**
 * The schemas of every served kind from the installed @kubernetes/client-node, built once on first
 * use: the package takes a moment to load on its own, and only OpenAPI requests need it.
 */
export function loadKindSchemas(): Promise<KindSchemas> {
  loaded ??= import(MODELS).then(async (models: unknown) => {
    const exports = models as Record<string, unknown>;
    const lookup: ModelLookup = (name) => {
      const candidate = Object.hasOwn(exports, name) ? exports[name] : undefined;
      return typeof candidate === 'function' && Array.isArray((candidate as Partial<Model>).attributeTypeMap) ? (candidate as unknown as Model) : undefined;
    };
    const docs = await readModelDocs(modelsOf(RESOURCE_TYPES, lookup));
    return buildKindSchemas(RESOURCE_TYPES, lookup, docs);
  });
  return loaded;
}
