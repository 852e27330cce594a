/**
 * The `scale` subresource: an autoscaling/v1 Scale view of a workload's replicas, read from and
 * written to the fields its type names (`kubectl scale`, client-node's `*Scale` calls, autoscalers).
 */
import { isRecord, metadataOf, type KubeObject } from './object.js';
import type { ResourceType, ScaleSubresource } from './resources.js';
import { badRequest, invalid } from './status.js';

/** The Scale kind, for the messages the API server words in its name (`Scale.autoscaling "web" is invalid`). */
export const SCALE_TYPE: ResourceType = {
  group: 'autoscaling',
  version: 'v1',
  name: 'scale',
  singularName: 'scale',
  kind: 'Scale',
  namespaced: true,
  shortNames: [],
  categories: [],
  hasStatus: true,
  hasSpec: true,
};

function pathOf(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.').filter((part) => part !== '');
}

function read(object: unknown, jsonPath: string): unknown {
  let current = object;
  for (const part of pathOf(jsonPath)) current = isRecord(current) ? current[part] : undefined;
  return current;
}

function write(object: KubeObject, jsonPath: string, value: unknown): void {
  const parts = pathOf(jsonPath);
  const last = parts.pop();
  if (last === undefined) return;
  let current: Record<string, unknown> = object;
  for (const part of parts) {
    const next = current[part];
    if (!isRecord(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[last] = value;
}

const values = (list: unknown): string => (Array.isArray(list) ? list.map(String).sort().join(',') : '');

/** A LabelSelector object as the API server prints it in `status.selector`: requirements sorted by key. */
export function selectorString(selector: unknown): string {
  if (!isRecord(selector)) return '';
  const requirements: [string, string][] = [];
  if (isRecord(selector['matchLabels'])) {
    for (const [key, value] of Object.entries(selector['matchLabels'])) requirements.push([key, `${key}=${String(value)}`]);
  }
  if (Array.isArray(selector['matchExpressions'])) {
    for (const expression of selector['matchExpressions']) {
      if (!isRecord(expression)) continue;
      const key = String(expression['key']);
      switch (expression['operator']) {
        case 'In':
          requirements.push([key, `${key} in (${values(expression['values'])})`]);
          break;
        case 'NotIn':
          requirements.push([key, `${key} notin (${values(expression['values'])})`]);
          break;
        case 'Exists':
          requirements.push([key, key]);
          break;
        case 'DoesNotExist':
          requirements.push([key, `!${key}`]);
          break;
      }
    }
  }
  return requirements
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, text]) => text)
    .join(',');
}

function scaleOf(type: ResourceType): ScaleSubresource {
  if (type.scale === undefined) throw new Error(`${type.name} has no scale subresource`);
  return type.scale;
}

/** The Scale of a stored object. */
export function toScale(type: ResourceType, object: KubeObject): KubeObject {
  const scale = scaleOf(type);
  const metadata = metadataOf(object);
  const replicas = read(object, scale.specReplicasPath);
  const statusReplicas = read(object, scale.statusReplicasPath);
  const rawSelector = scale.labelSelectorPath === undefined ? undefined : read(object, scale.labelSelectorPath);
  // Built-in kinds keep a LabelSelector object; custom ones point at a selector string.
  const selector = typeof rawSelector === 'string' ? rawSelector : type.custom === undefined ? selectorString(rawSelector) : undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: Object.fromEntries(
      ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'].flatMap((key) => (metadata[key] === undefined ? [] : [[key, metadata[key]]])),
    ),
    spec: typeof replicas === 'number' && replicas !== 0 ? { replicas } : {},
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(selector !== undefined && selector !== '' ? { selector } : {}) },
  };
}

/**
 * The object after a Scale is written to it: only the desired replicas change; the Scale's
 * resourceVersion (when it has one) stays on the object as the write's precondition.
 */
export function applyScale(type: ResourceType, object: KubeObject, body: unknown, name: string): KubeObject {
  const scale = scaleOf(type);
  if (!isRecord(body)) throw badRequest('the body of the request must be a Scale object');
  const spec = isRecord(body['spec']) ? body['spec'] : {};
  const replicas = spec['replicas'] ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw badRequest(`spec.replicas must be an integer`);
  if (replicas < 0) throw invalid(SCALE_TYPE, name, [{ field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` }]);
  const next = structuredClone(object);
  write(next, scale.specReplicasPath, replicas);
  const wanted = metadataOf(body)['resourceVersion'];
  const nextMeta = metadataOf(next);
  if (typeof wanted === 'string' && wanted !== '') nextMeta['resourceVersion'] = wanted;
  else delete nextMeta['resourceVersion'];
  return next;
}
