/**
 * The one table of list semantics per kind: which lists are keyed by a merge key, which
 * are merged as sets of primitives, which retain keys, and which are atomic.
 *
 * Field paths (`field-path.ts`), the field diff and rebase, the YAML mapping, and the
 * sandbox's strategic merge patch all read this table, so "which container is this" has
 * one answer everywhere. The values follow the `patchStrategy`/`patchMergeKey` tags of
 * the Kubernetes Go types (`x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`
 * in the OpenAPI). Kinds not listed here (custom resources, ConfigMaps, ...) have only
 * atomic lists, which is also how Kubernetes treats them (kubectl sends them merge
 * patches, which replace lists whole).
 */

/** A JSON object whose known fields have known shapes. Unknown fields are open. */
export interface ObjectShape {
  readonly type: 'object';
  readonly fields?: Readonly<Record<string, Shape>>;
  /** The shape of every value of a map (e.g. `metadata.labels`), when all share one. */
  readonly values?: Shape;
  /** `patchStrategy: retainKeys` (SMP `$retainKeys`): a union type such as a volume source. */
  readonly retainKeys?: boolean;
}

/**
 * A list. With `mergeKey`, items are objects identified by that field
 * (`patchStrategy: merge`); with `strategy: 'merge'` and no key, a set of primitives
 * (e.g. finalizers); otherwise atomic (replaced whole).
 */
export interface ListShape {
  readonly type: 'list';
  readonly strategy: 'merge' | 'atomic';
  readonly mergeKey?: string;
  readonly items?: Shape;
}

export type Shape = ObjectShape | ListShape;

const obj = (fields: Record<string, Shape>, extra: Partial<ObjectShape> = {}): ObjectShape => ({ type: 'object', fields, ...extra });
const keyed = (mergeKey: string, items?: Shape): ListShape => ({ type: 'list', strategy: 'merge', mergeKey, ...(items ? { items } : {}) });
const primitiveSet: ListShape = { type: 'list', strategy: 'merge' };

const ownerReferences = keyed('uid');
const ObjectMeta = obj({ ownerReferences, finalizers: primitiveSet });

const Container = obj({
  env: keyed('name'),
  ports: keyed('containerPort'),
  volumeMounts: keyed('mountPath'),
  volumeDevices: keyed('devicePath'),
  resizePolicy: { type: 'list', strategy: 'atomic' },
});

const Volume = obj({}, { retainKeys: true });

const PodSpec = obj({
  containers: keyed('name', Container),
  initContainers: keyed('name', Container),
  ephemeralContainers: keyed('name', Container),
  volumes: keyed('name', Volume),
  imagePullSecrets: keyed('name'),
  hostAliases: keyed('ip'),
  topologySpreadConstraints: keyed('topologyKey'),
  resourceClaims: keyed('name'),
  schedulingGates: keyed('name'),
});

const PodTemplateSpec = obj({ metadata: ObjectMeta, spec: PodSpec });

const conditions = keyed('type');

const Pod = obj({
  metadata: ObjectMeta,
  spec: PodSpec,
  status: obj({ conditions, podIPs: keyed('ip') }),
});

const Deployment = obj({
  metadata: ObjectMeta,
  spec: obj({ template: PodTemplateSpec, strategy: obj({}, { retainKeys: true }) }),
  status: obj({ conditions }),
});

const ReplicaSet = obj({ metadata: ObjectMeta, spec: obj({ template: PodTemplateSpec }), status: obj({ conditions }) });

const StatefulSet = obj({
  metadata: ObjectMeta,
  spec: obj({ template: PodTemplateSpec }),
  status: obj({ conditions }),
});

const DaemonSet = obj({
  metadata: ObjectMeta,
  spec: obj({ template: PodTemplateSpec, updateStrategy: obj({}, { retainKeys: true }) }),
  status: obj({ conditions }),
});

const Job = obj({ metadata: ObjectMeta, spec: obj({ template: PodTemplateSpec }), status: obj({ conditions }) });

const CronJob = obj({ metadata: ObjectMeta, spec: obj({ jobTemplate: obj({ metadata: ObjectMeta, spec: obj({ template: PodTemplateSpec }) }) }) });

const Service = obj({
  metadata: ObjectMeta,
  spec: obj({ ports: keyed('port') }),
  status: obj({ conditions }),
});

const Namespace = obj({ metadata: ObjectMeta, status: obj({ conditions }) });

const ServiceAccount = obj({ metadata: ObjectMeta, secrets: keyed('name'), imagePullSecrets: keyed('name') });

const Node = obj({ metadata: ObjectMeta, status: obj({ conditions, addresses: keyed('type') }) });

/** Shape of any object: only metadata is known (owner references, finalizers). */
const Unknown = obj({ metadata: ObjectMeta });

/**
 * Kinds with built-in Go types, by `group/Kind` (core group written as the empty
 * string). Only kinds with keyed lists need an entry; the rest use `Unknown`.
 */
const KINDS: Readonly<Record<string, ObjectShape>> = {
  '/Pod': Pod,
  '/PodTemplate': obj({ metadata: ObjectMeta, template: PodTemplateSpec }),
  '/ReplicationController': obj({ metadata: ObjectMeta, spec: obj({ template: PodTemplateSpec }), status: obj({ conditions }) }),
  '/Service': Service,
  '/Namespace': Namespace,
  '/ServiceAccount': ServiceAccount,
  '/Node': Node,
  '/ConfigMap': Unknown,
  '/Secret': Unknown,
  '/Event': Unknown,
  'apps/Deployment': Deployment,
  'apps/ReplicaSet': ReplicaSet,
  'apps/StatefulSet': StatefulSet,
  'apps/DaemonSet': DaemonSet,
  'batch/Job': Job,
  'batch/CronJob': CronJob,
};

/** Group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** True when the kind has a built-in Go type here (and so accepts strategic merge patches). */
export function isBuiltinKind(apiVersion: string | undefined, kind: string | undefined): boolean {
  return kind !== undefined && `${groupOf(apiVersion)}/${kind}` in KINDS;
}

/** The shape of a whole object of this kind (`Unknown` for custom resources). */
export function shapeOfKind(apiVersion: string | undefined, kind: string | undefined): ObjectShape {
  if (kind === undefined) return Unknown;
  return KINDS[`${groupOf(apiVersion)}/${kind}`] ?? Unknown;
}

/** The shape of an object (reads its apiVersion and kind). */
export function shapeOfObject(object: unknown): ObjectShape {
  if (typeof object !== 'object' || object === null) return Unknown;
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  return shapeOfKind(typeof apiVersion === 'string' ? apiVersion : undefined, typeof kind === 'string' ? kind : undefined);
}

/** The shape of field `name` inside an object of shape `parent`; undefined when not known. */
export function fieldShape(parent: Shape | undefined, name: string): Shape | undefined {
  if (!parent || parent.type !== 'object') return undefined;
  // Own properties only: a field named `constructor` or `toString` is data, not Object.prototype.
  const known = parent.fields && Object.hasOwn(parent.fields, name) ? parent.fields[name] : undefined;
  return known ?? parent.values;
}

/** The shape of the items of a list. */
export function itemShape(list: Shape | undefined): Shape | undefined {
  return list?.type === 'list' ? list.items : undefined;
}

/** The merge key of a keyed list, or undefined for atomic lists and primitive sets. */
export function mergeKeyOf(shape: Shape | undefined): string | undefined {
  return shape?.type === 'list' ? shape.mergeKey : undefined;
}

/**
 * True when `list` can be addressed item by item with `mergeKey`: every item is an
 * object carrying a string or number under the key, and no key value repeats. A keyed
 * list that breaks this (hand-written YAML can) is treated as one atomic field.
 */
export function isKeyedList(list: unknown, mergeKey: string | undefined): list is Record<string, unknown>[] {
  if (mergeKey === undefined || !Array.isArray(list)) return false;
  const seen = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
    const value = (entry as Record<string, unknown>)[mergeKey];
    if (typeof value !== 'string' && typeof value !== 'number') return false;
    const id = `${typeof value}:${value}`;
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}
