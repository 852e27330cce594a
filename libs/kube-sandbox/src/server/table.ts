import type { IncomingMessage } from 'node:http';
import { isRecord, metadataOf, type KubeObject } from './object.js';
import type { ResourceType } from './resources.js';

/** The media type a client asks for (and gets) when it wants server-side printed rows. */
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
  description: string;
  cell: (object: KubeObject, now: number) => string | number;
}

/** True when the Accept header asks for a `meta.k8s.io/v1` Table (kubectl get does). */
export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && params.includes('v=v1');
  });
}

/** kubectl's short age format: `45s`, `5m30s`, `3h`, `2d4h`, `200d`. */
export function humanAge(since: string | undefined, now: number): string {
  if (!since) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

function at(object: unknown, ...path: string[]): unknown {
  let current = object;
  for (const part of path) current = isRecord(current) ? current[part] : undefined;
  return current;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown, fallback = '<none>'): string => (typeof value === 'string' && value !== '' ? value : fallback);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const count = (value: unknown): number => (isRecord(value) ? Object.keys(value).length : 0);
const labels = (value: unknown): string => (isRecord(value) && Object.keys(value).length > 0 ? Object.entries(value).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>');

const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name of the object.', cell: (o) => str(metadataOf(o)['name'], '') };
const age: Column = { name: 'Age', type: 'string', description: 'Time since the object was created.', cell: (o, now) => humanAge(metadataOf(o)['creationTimestamp'] as string | undefined, now) };
const containers = (o: KubeObject): Record<string, unknown>[] => list(at(o, 'spec', 'template', 'spec', 'containers')).filter(isRecord);

const COLUMNS: Readonly<Record<string, Column[]>> = {
  Deployment: [
    name,
    { name: 'Ready', type: 'string', description: 'Ready replicas of desired.', cell: (o) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}` },
    { name: 'Up-to-date', type: 'integer', description: 'Replicas on the current template.', cell: (o) => num(at(o, 'status', 'updatedReplicas')) },
    { name: 'Available', type: 'integer', description: 'Available replicas.', cell: (o) => num(at(o, 'status', 'availableReplicas')) },
    age,
    { name: 'Containers', type: 'string', priority: 1, description: 'Container names.', cell: (o) => containers(o).map((c) => str(c['name'], '')).join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Container images.', cell: (o) => containers(o).map((c) => str(c['image'], '')).join(',') },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector of the pods.', cell: (o) => labels(at(o, 'spec', 'selector', 'matchLabels')) },
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', description: 'Desired replicas.', cell: (o) => num(at(o, 'spec', 'replicas')) },
    { name: 'Current', type: 'integer', description: 'Current replicas.', cell: (o) => num(at(o, 'status', 'replicas')) },
    { name: 'Ready', type: 'integer', description: 'Ready replicas.', cell: (o) => num(at(o, 'status', 'readyReplicas')) },
    age,
  ],
  StatefulSet: [name, { name: 'Ready', type: 'string', description: 'Ready replicas of desired.', cell: (o) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}` }, age],
  Pod: [
    name,
    {
      name: 'Ready',
      type: 'string',
      description: 'Ready containers of all.',
      cell: (o) => {
        const statuses = list(at(o, 'status', 'containerStatuses')).filter(isRecord);
        return `${statuses.filter((s) => s['ready'] === true).length}/${list(at(o, 'spec', 'containers')).length}`;
      },
    },
    { name: 'Status', type: 'string', description: 'Phase of the pod.', cell: (o) => str(at(o, 'status', 'phase'), 'Unknown') },
    { name: 'Restarts', type: 'string', description: 'Container restarts.', cell: (o) => String(list(at(o, 'status', 'containerStatuses')).reduce<number>((sum, s) => sum + num(at(s, 'restartCount')), 0)) },
    age,
    { name: 'IP', type: 'string', priority: 1, description: 'Pod IP.', cell: (o) => str(at(o, 'status', 'podIP')) },
    { name: 'Node', type: 'string', priority: 1, description: 'Node the pod runs on.', cell: (o) => str(at(o, 'spec', 'nodeName')) },
  ],
  Service: [
    name,
    { name: 'Type', type: 'string', description: 'Service type.', cell: (o) => str(at(o, 'spec', 'type'), 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', description: 'Cluster IP.', cell: (o) => str(at(o, 'spec', 'clusterIP')) },
    { name: 'External-IP', type: 'string', description: 'External IPs.', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'Ports.',
      cell: (o) => list(at(o, 'spec', 'ports')).map((p) => `${String(at(p, 'port'))}/${str(at(p, 'protocol'), 'TCP')}`).join(',') || '<none>',
    },
    age,
    { name: 'Selector', type: 'string', priority: 1, description: 'Selector of the backing pods.', cell: (o) => labels(at(o, 'spec', 'selector')) },
  ],
  ConfigMap: [name, { name: 'Data', type: 'integer', description: 'Number of entries.', cell: (o) => count(o['data']) + count(o['binaryData']) }, age],
  Secret: [
    name,
    { name: 'Type', type: 'string', description: 'Secret type.', cell: (o) => str(o['type'], 'Opaque') },
    { name: 'Data', type: 'integer', description: 'Number of entries.', cell: (o) => count(o['data']) },
    age,
  ],
  ServiceAccount: [name, { name: 'Secrets', type: 'integer', description: 'Number of secrets.', cell: (o) => list(o['secrets']).length }, age],
  Namespace: [name, { name: 'Status', type: 'string', description: 'Phase of the namespace.', cell: (o) => str(at(o, 'status', 'phase'), 'Active') }, age],
  Event: [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'Time since the event was last seen.',
      cell: (o, now) => humanAge((o['lastTimestamp'] ?? o['eventTime'] ?? metadataOf(o)['creationTimestamp']) as string | undefined, now),
    },
    { name: 'Type', type: 'string', description: 'Normal or Warning.', cell: (o) => str(o['type'], '') },
    { name: 'Reason', type: 'string', description: 'Reason.', cell: (o) => str(o['reason'], '') },
    { name: 'Object', type: 'string', description: 'The object the event is about.', cell: (o) => `${str(at(o, 'involvedObject', 'kind'), '').toLowerCase()}/${str(at(o, 'involvedObject', 'name'), '')}` },
    { name: 'Message', type: 'string', description: 'Message.', cell: (o) => str(o['message'], '') },
    { ...name, priority: 1 },
  ],
};

function rowObject(object: KubeObject, includeObject: string | null): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOf(object) };
}

/** Objects printed as a `meta.k8s.io/v1` Table, as a real server answers `kubectl get`. */
export function toTable(type: ResourceType, objects: readonly KubeObject[], resourceVersion: string | undefined, includeObject: string | null, withColumns = true): Record<string, unknown> {
  const columns = COLUMNS[type.kind] ?? [name, age];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: resourceVersion !== undefined ? { resourceVersion } : {},
    columnDefinitions: withColumns ? columns.map(({ cell: _cell, priority, ...column }) => ({ ...column, format: column.format ?? '', priority: priority ?? 0 })) : null,
    rows: objects.map((object) => {
      const embedded = rowObject(object, includeObject);
      return { cells: columns.map((column) => column.cell(object, now)), ...(embedded !== undefined ? { object: embedded } : {}) };
    }),
  };
}
