/**
 * fast-check generators of Kubernetes-like objects and of concurrent edits to them, for
 * property tests of the diff, the rebase and the YAML mapping.
 *
 * Values come from small pools on purpose: two random edits of one base then often touch
 * the same container, the same annotation or the same list position, which is where
 * merging goes wrong. Annotation and label keys contain dots and slashes
 * (`example.com/owner`) because paths must quote them.
 *
 * Stable API: `arbDeployment()`, `arbService()`, `arbConfigMap()`, `arbKubeObject()`,
 * `arbEdit(base)`, `arbEditedPair(arbBase?)`.
 */
import fc from 'fast-check';
import { cloneJson, isJsonObject, setKey, type JsonObject, type JsonValue } from '../json.js';
import { fieldShape, isKeyedList, itemShape, mergeKeyOf, shapeOfObject, type Shape } from '../k8s-schema.js';

export const LABEL_KEYS = ['app', 'tier', 'example.com/owner', 'app.kubernetes.io/name', 'team.example.com/on-call', 'release'] as const;
export const CONTAINER_NAMES = ['web', 'sidecar', 'proxy', 'log-shipper', 'metrics', 'db'] as const;
export const ENV_NAMES = ['LOG_LEVEL', 'PORT', 'MODE', 'REGION', 'FEATURE_X'] as const;
export const PORT_NUMBERS = [80, 443, 8080, 9090, 5432] as const;
export const VOLUME_NAMES = ['data', 'config', 'cache', 'tmp'] as const;
const IMAGES = ['nginx:1.27', 'nginx:1.28', 'busybox:1.36', 'envoy:v1.31', 'postgres:17'] as const;
const STRINGS = ['a', 'b', 'on', 'off', 'debug', 'info', 'x.y/z', ''] as const;
const ARG_POOL = ['--port=80', '--verbose', '-v=2', '--config=/etc/app.yaml', 'serve'] as const;

const labelMap = (): fc.Arbitrary<JsonObject> =>
  fc.uniqueArray(fc.tuple(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...STRINGS)), { selector: ([k]) => k, maxLength: 4 }).map((entries) => {
    const out: JsonObject = {};
    for (const [k, v] of entries) setKey(out, k, v);
    return out;
  });

/** Puts optional fields in only when the generated value is defined. */
function compact(entries: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) setKey(out, k, v);
  return out;
}

const arbEnvVar = fc.record({ name: fc.constantFrom(...ENV_NAMES), value: fc.constantFrom(...STRINGS) });
const arbPort = fc.record({ containerPort: fc.constantFrom(...PORT_NUMBERS), protocol: fc.constantFrom('TCP', 'UDP') });
const arbMount = fc.constantFrom(...VOLUME_NAMES).map((name) => ({ name, mountPath: `/mnt/${name}` }));
const arbArgs = fc.array(fc.constantFrom(...ARG_POOL), { maxLength: 3 });

const arbContainer: fc.Arbitrary<JsonObject> = fc
  .record(
    {
      name: fc.constantFrom(...CONTAINER_NAMES),
      image: fc.constantFrom(...IMAGES),
      args: arbArgs,
      command: fc.array(fc.constantFrom('/bin/sh', '-c', 'run'), { maxLength: 2 }),
      env: fc.uniqueArray(arbEnvVar, { selector: (e) => e.name, maxLength: 3 }),
      ports: fc.uniqueArray(arbPort, { selector: (p) => p.containerPort, maxLength: 2 }),
      volumeMounts: fc.uniqueArray(arbMount, { selector: (m) => m.mountPath, maxLength: 2 }),
      resources: fc.record({ limits: fc.record({ cpu: fc.constantFrom('100m', '500m', '1'), memory: fc.constantFrom('64Mi', '128Mi') }) }),
    },
    { requiredKeys: ['name', 'image'] },
  )
  .map((c) => compact(c));

const arbVolume = fc.constantFrom(...VOLUME_NAMES).map((name): JsonObject => (name === 'config' ? { name, configMap: { name: 'app-config' } } : { name, emptyDir: {} }));

/** A Deployment with metadata, a pod template, keyed lists, atomic lists and status. */
export function arbDeployment(): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      name: fc.constantFrom('web', 'api', 'worker'),
      labels: labelMap(),
      annotations: fc.option(labelMap(), { nil: undefined }),
      replicas: fc.integer({ min: 0, max: 5 }),
      podLabels: labelMap(),
      containers: fc.uniqueArray(arbContainer, { selector: (c) => c['name'], minLength: 1, maxLength: 4 }),
      initContainers: fc.option(fc.uniqueArray(arbContainer, { selector: (c) => c['name'], maxLength: 2 }), { nil: undefined }),
      volumes: fc.option(fc.uniqueArray(arbVolume, { selector: (v) => v['name'], maxLength: 3 }), { nil: undefined }),
      nodeSelector: fc.option(labelMap(), { nil: undefined }),
      tolerations: fc.option(fc.array(fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constant('Exists') }), { maxLength: 2 }), { nil: undefined }),
      finalizers: fc.option(fc.uniqueArray(fc.constantFrom('example.com/cleanup', 'foregroundDeletion')), { nil: undefined }),
      status: fc.option(fc.record({ replicas: fc.nat(5), conditions: fc.constant(null).map((): JsonValue[] => [{ type: 'Available', status: 'True' }]) }), { nil: undefined }),
      resourceVersion: fc.integer({ min: 1, max: 99999 }).map(String),
    })
    .map((d): JsonObject =>
      compact({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: compact({
          name: d.name,
          namespace: 'default',
          labels: d.labels,
          annotations: d.annotations,
          finalizers: d.finalizers,
          resourceVersion: d.resourceVersion,
          generation: 1,
          uid: '7f1c2a4e-0000-4000-8000-000000000001',
        }),
        spec: {
          replicas: d.replicas,
          selector: { matchLabels: { app: d.name } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels: d.podLabels },
            spec: compact({
              containers: d.containers,
              initContainers: d.initContainers,
              volumes: d.volumes,
              nodeSelector: d.nodeSelector,
              tolerations: d.tolerations,
            }),
          },
        },
        status: d.status,
      }),
    );
}

/** A Service (keyed `spec.ports` by port number). */
export function arbService(): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      labels: labelMap(),
      ports: fc.uniqueArray(fc.record({ port: fc.constantFrom(...PORT_NUMBERS), targetPort: fc.constantFrom(...PORT_NUMBERS), protocol: fc.constant('TCP') }), { selector: (p) => p.port, maxLength: 3 }),
      selector: labelMap(),
    })
    .map((s): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: s.labels, resourceVersion: '1' },
      spec: { type: 'ClusterIP', ports: s.ports, selector: s.selector },
    }));
}

/** A ConfigMap: only maps and atomic lists; data keys look like file names. */
export function arbConfigMap(): fc.Arbitrary<JsonObject> {
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom('app.yaml', 'log.level', 'feature/flags', 'PORT'), fc.constantFrom(...STRINGS)), { selector: ([k]) => k, maxLength: 4 })
    .map((entries): JsonObject => {
      const data: JsonObject = {};
      for (const [k, v] of entries) setKey(data, k, v);
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data };
    });
}

/** Any of the generated kinds (mostly Deployments, which have the richest structure). */
export function arbKubeObject(): fc.Arbitrary<JsonObject> {
  return fc.oneof({ arbitrary: arbDeployment(), weight: 6 }, { arbitrary: arbService(), weight: 2 }, { arbitrary: arbConfigMap(), weight: 1 });
}

/** One random edit step; numbers pick a location and an operation on the current object. */
interface EditStep {
  readonly op: number;
  readonly pick: number;
  readonly to: number;
  readonly value: JsonValue;
  readonly key: string;
}

const arbScalar: fc.Arbitrary<JsonValue> = fc.oneof(
  { arbitrary: fc.constantFrom(...STRINGS, ...IMAGES), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 2 },
  { arbitrary: fc.constantFrom(true, false, null), weight: 1 },
);

const arbStep: fc.Arbitrary<EditStep> = fc.record({
  op: fc.nat(99),
  pick: fc.nat(),
  to: fc.nat(),
  value: arbScalar,
  key: fc.constantFrom(...LABEL_KEYS, 'note', 'image', 'value', 'protocol'),
});

type Location =
  | { kind: 'map'; value: JsonObject; parent: JsonObject | JsonValue[] | undefined; at: string | number }
  | { kind: 'scalar'; parent: JsonObject; at: string }
  | { kind: 'keyed'; list: JsonObject[]; mergeKey: string; shape: Shape | undefined }
  | { kind: 'atomic'; parent: JsonObject; at: string; list: JsonValue[] };

function collectLocations(root: JsonObject): Location[] {
  const out: Location[] = [];
  const walkMap = (map: JsonObject, shape: Shape | undefined, parent: JsonObject | JsonValue[] | undefined, at: string | number): void => {
    out.push({ kind: 'map', value: map, parent, at });
    for (const k of Object.keys(map)) {
      const v = map[k] as JsonValue;
      const s = fieldShape(shape, k);
      if (isJsonObject(v)) walkMap(v, s, map, k);
      else if (Array.isArray(v)) {
        const mk = mergeKeyOf(s);
        if (mk !== undefined && isKeyedList(v, mk)) {
          const list = v as JsonObject[];
          out.push({ kind: 'keyed', list, mergeKey: mk, shape: itemShape(s) });
          list.forEach((entry, i) => walkMap(entry, itemShape(s), list, i));
        } else out.push({ kind: 'atomic', parent: map, at: k, list: v });
      } else if (!(parent === undefined && (k === 'apiVersion' || k === 'kind'))) out.push({ kind: 'scalar', parent: map, at: k });
    }
  };
  walkMap(root, shapeOfObject(root), undefined, '');
  return out;
}

function newItem(mergeKey: string, taken: ReadonlySet<unknown>, step: EditStep): JsonObject | undefined {
  const pool: readonly (string | number)[] =
    mergeKey === 'containerPort' || mergeKey === 'port'
      ? PORT_NUMBERS
      : mergeKey === 'mountPath'
        ? VOLUME_NAMES.map((n) => `/mnt/${n}`)
        : mergeKey === 'name'
          ? [...CONTAINER_NAMES, ...ENV_NAMES]
          : ['k1', 'k2', 'k3'];
  const free = pool.filter((v) => !taken.has(v));
  const id = free[step.to % Math.max(1, free.length)];
  if (id === undefined) return undefined;
  // Identical content for the same key from both sides is common on purpose (an "identical add").
  return step.pick % 2 === 0 ? { [mergeKey]: id } : { [mergeKey]: id, value: step.value };
}

function pickOf<T extends Location['kind']>(locations: Location[], kind: T, n: number): Extract<Location, { kind: T }> | undefined {
  const matching = locations.filter((l): l is Extract<Location, { kind: T }> => l.kind === kind);
  return matching[n % Math.max(1, matching.length)];
}

function applyStep(root: JsonObject, step: EditStep, focus: EditFocus): void {
  const locations = collectLocations(root);
  // Keyed-list inserts, removals and moves occupy ops 43..82.
  const op = focus === 'keyed-lists' ? 43 + (step.op % 40) : step.op;
  if (op < 15) {
    const s = pickOf(locations, 'scalar', step.pick);
    if (s) setKey(s.parent, s.at, step.value);
  } else if (op < 27) {
    // Add a label or annotation, creating the map when missing.
    const metadata = pickOf(locations, 'map', 0)?.value['metadata'];
    if (isJsonObject(metadata)) {
      const mapName = step.pick % 2 === 0 ? 'annotations' : 'labels';
      const existing = metadata[mapName];
      const target = isJsonObject(existing) ? existing : {};
      setKey(target, step.key, step.value);
      if (target !== existing) setKey(metadata, mapName, target);
    }
  } else if (op < 35) {
    const m = pickOf(locations, 'map', step.pick);
    if (m) setKey(m.value, step.key, step.value);
  } else if (op < 43) {
    const maps = locations.filter((l): l is Extract<Location, { kind: 'map' }> => l.kind === 'map' && Object.keys(l.value).length > 0);
    const m = maps[step.pick % Math.max(1, maps.length)];
    if (m) {
      const keys = Object.keys(m.value).filter((k) => !(m.parent === undefined && (k === 'apiVersion' || k === 'kind')));
      const k = keys[step.to % Math.max(1, keys.length)];
      if (k !== undefined) delete m.value[k];
    }
  } else if (op < 63) {
    const l = pickOf(locations, 'keyed', step.pick);
    if (l) {
      const item = newItem(l.mergeKey, new Set(l.list.map((e) => e[l.mergeKey])), step);
      if (item) l.list.splice(step.to % (l.list.length + 1), 0, item);
    }
  } else if (op < 71) {
    const l = pickOf(locations, 'keyed', step.pick);
    if (l && l.list.length > 0) l.list.splice(step.to % l.list.length, 1);
  } else if (op < 83) {
    const l = pickOf(locations, 'keyed', step.pick);
    if (l && l.list.length > 1) {
      const [moved] = l.list.splice(step.to % l.list.length, 1);
      if (moved) l.list.splice((step.to >> 3) % (l.list.length + 1), 0, moved);
    }
  } else if (op < 91) {
    const a = pickOf(locations, 'atomic', step.pick);
    if (a) setKey(a.parent, a.at, step.to % 2 === 0 ? [...a.list, step.value] : ARG_POOL.slice(step.to % 3, (step.to % 3) + 2));
  } else {
    // Type change: a map becomes a scalar or a scalar becomes a map.
    const m = pickOf(locations, 'map', step.pick);
    if (m && m.parent !== undefined && !Array.isArray(m.parent) && typeof m.at === 'string' && step.to % 2 === 0) setKey(m.parent, m.at, step.value);
    else {
      const s = pickOf(locations, 'scalar', step.pick);
      if (s) setKey(s.parent, s.at, { [step.key]: step.value });
    }
  }
}

/** `'any'`: every kind of edit; `'keyed-lists'`: only inserts, removals and moves of keyed-list items. */
export type EditFocus = 'any' | 'keyed-lists';

/** A random edit of `base` (0-8 steps: scalar changes, map keys, keyed-list inserts/removes/moves, atomic lists, type changes). */
export function arbEdit(base: JsonObject, focus: EditFocus = 'any'): fc.Arbitrary<JsonObject> {
  return fc.array(arbStep, { maxLength: 8 }).map((steps) => {
    const edited = cloneJson(base);
    for (const step of steps) applyStep(edited, step, focus);
    return edited;
  });
}

/** A base object and two independent edits of it: `{ base, mine, theirs }`. */
export function arbEditedPair(
  arbBase: fc.Arbitrary<JsonObject> = arbKubeObject(),
  focus: EditFocus = 'any',
): fc.Arbitrary<{ base: JsonObject; mine: JsonObject; theirs: JsonObject }> {
  return arbBase.chain((base) => fc.record({ base: fc.constant(base), mine: arbEdit(base, focus), theirs: arbEdit(base, focus) }));
}
