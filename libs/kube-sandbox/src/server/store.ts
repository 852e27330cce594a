import { randomUUID } from 'node:crypto';
import { apiVersionOf, TypedEmitter } from '@tandem/sync';
import { applyPatch, PatchError } from '../patch/index.js';
import { isRecord, jsonEqual, kubeTime, metadataOf, stringField, type KubeObject } from './object.js';
import { crdStatus, crdTypes, CRD_GROUP, checkCrd } from './crd.js';
import { findResourceType, ResourceRegistry, sameResource, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from './selectors.js';
import { alreadyExists, ApiError, badRequest, conflict, deletePreconditionFailed, fromPatchError, invalid, notFound, patchTestFailed } from './status.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One stored change, kept in the history so that watches can resume from a resourceVersion. */
export interface Change {
  readonly type: ChangeType;
  readonly resourceVersion: number;
  readonly resource: ResourceType;
  readonly object: KubeObject;
  /** The object before a MODIFIED or DELETED change: a selector watch tells entering from leaving, a paged list rebuilds its snapshot. */
  readonly previous?: KubeObject;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** `status` writes only status; `scale` writes like the main resource but is recorded as the scale subresource's. */
  subresource?: 'status' | 'scale';
  /** Field manager recorded in `metadata.managedFields` (the request's `fieldManager`, else its User-Agent). */
  manager?: string;
  /** `Apply` for server-side apply patches, `Update` for every other write (the default). */
  operation?: 'Update' | 'Apply';
}

/** One `metadata.managedFields` entry; field sets are not tracked, so `fieldsV1` stays empty. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, never>;
  subresource?: string;
}

/**
 * The managedFields after a write by `options.manager`: its entry (per manager, operation and
 * subresource, as the API server keys them) is refreshed, every other entry is kept.
 */
function withManagerEntry(type: ResourceType, existing: unknown, options: WriteOptions): ManagedFieldsEntry[] | undefined {
  const entries = Array.isArray(existing) ? (structuredClone(existing) as ManagedFieldsEntry[]) : [];
  if (options.manager === undefined || options.manager === '') return entries.length > 0 ? entries : undefined;
  const operation = options.operation ?? 'Update';
  const entry: ManagedFieldsEntry = {
    manager: options.manager,
    operation,
    apiVersion: apiVersionOf(type),
    time: kubeTime(),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(options.subresource !== undefined ? { subresource: options.subresource } : {}),
  };
  const same = (candidate: ManagedFieldsEntry): boolean =>
    isRecord(candidate) && candidate.manager === entry.manager && candidate.operation === operation && candidate.subresource === entry.subresource;
  const index = entries.findIndex(same);
  if (index === -1) entries.push(entry);
  else entries[index] = entry;
  return entries;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface Selection {
  namespace?: string;
  labels?: readonly LabelRequirement[];
  fields?: readonly FieldRequirement[];
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE_TYPE = findResourceType('', 'v1', 'namespaces');
const CRD_RESOURCE = { group: CRD_GROUP, name: 'customresourcedefinitions' };

/** A stored object as one version of its resource serves it (custom resources may be stored under another version). */
function servedAs(type: ResourceType, object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  if (type.custom !== undefined) copy['apiVersion'] = apiVersionOf(type);
  return copy;
}

/** Status a freshly created object starts with; the rest is for controllers to fill in. */
function initialStatus(type: ResourceType): Record<string, unknown> | undefined {
  if (!type.hasStatus) return undefined;
  if (type.kind === 'Namespace') return { phase: 'Active' };
  if (type.kind === 'Pod') return { phase: 'Pending' };
  if (type.kind === 'Service') return { loadBalancer: {} };
  // Custom resources start without status; their controllers write it.
  if (type.custom !== undefined) return undefined;
  return {};
}

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.name}/${namespace ?? ''}/${name}`;
}

export function matchesSelection(type: ResourceType, object: KubeObject, selection: Selection): boolean {
  const metadata = metadataOf(object);
  if (type.namespaced && selection.namespace !== undefined && metadata['namespace'] !== selection.namespace) return false;
  return matchesLabels(object as { metadata?: { labels?: Record<string, string> } }, selection.labels ?? []) && matchesFields(object, selection.fields ?? []);
}

interface StoreEvents {
  change: [Change];
}

/**
 * The sandbox's storage: one cluster-wide, strictly increasing resourceVersion, the API
 * server's write semantics (preconditions, no-op writes, status subresource, generation),
 * and a bounded history of changes for resuming watches.
 */
export class Store {
  private version = 0;
  private readonly objects = new Map<string, KubeObject>();
  private history: Change[] = [];
  /** Every change after this version is still in `history`. */
  private historyFloor = 0;
  private readonly events = new TypedEmitter<StoreEvents>();
  /** The resources served, built in and defined by CustomResourceDefinitions. */
  readonly registry = new ResourceRegistry();

  constructor(private readonly historyLimit = 1000) {}

  /** The current cluster-wide resourceVersion. */
  get resourceVersion(): string {
    return String(this.version);
  }

  list(type: ResourceType, selection: Selection = {}): KubeObject[] {
    return this.listKeyed(type, selection).map(([, object]) => object);
  }

  /** Matching objects with their storage keys, in key order (what paging continues from). */
  listKeyed(type: ResourceType, selection: Selection = {}): [string, KubeObject][] {
    const prefix = `${type.group}/${type.name}/`;
    return [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && matchesSelection(type, object, selection))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => [key, servedAs(type, object)]);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.objects.get(keyOf(type, namespace, name));
    if (!object) throw notFound(type, name);
    return servedAs(type, object);
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions = {}): KubeObject {
    const object = this.checkBody(type, namespace, undefined, body);
    const metadata = metadataOf(object);
    let name = stringField(metadata, 'name');
    const generateName = stringField(metadata, 'generateName');
    if (!name && generateName) name = `${generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    if (!name) throw invalid(type, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    this.checkName(type, name);
    if (type.namespaced) this.requireNamespace(namespace ?? '');
    if (this.objects.has(keyOf(type, namespace, name))) throw alreadyExists(type, name);
    if (sameResource(type, CRD_RESOURCE)) checkCrd(type, object, name, this.registry);
    const status = sameResource(type, CRD_RESOURCE) ? crdStatus(object) : initialStatus(type);
    const created = this.stamp(type, { ...object, metadata: { ...metadata, name } }, status);
    const managedFields = withManagerEntry(type, undefined, options);
    if (managedFields !== undefined) metadataOf(created)['managedFields'] = managedFields;
    if (options.dryRun) return created;
    return this.commit(type, 'ADDED', created);
  }

  /** Stores a fully formed object as is (status included): demo data and simulated controllers. */
  insert(type: ResourceType, object: KubeObject): KubeObject {
    const metadata = metadataOf(object);
    const status = isRecord(object['status']) ? object['status'] : initialStatus(type);
    const created = this.stamp(type, { ...object, metadata }, status);
    return this.commit(type, 'ADDED', created);
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
    const key = keyOf(type, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) throw notFound(type, name);
    const object = this.checkBody(type, namespace, name, body);
    const metadata = metadataOf(object);
    const existingMeta = metadataOf(existing);
    const wanted = stringField(metadata, 'resourceVersion');
    if (wanted !== undefined && wanted !== '' && wanted !== existingMeta['resourceVersion']) throw conflict(type, name);
    const uid = stringField(metadata, 'uid');
    if (uid !== undefined && uid !== '' && uid !== existingMeta['uid']) {
      throw conflict(type, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(existingMeta['uid'])}`);
    }

    let next: KubeObject;
    if (options.subresource === 'status') {
      // A status write changes only status, whatever else the body says.
      next = { ...structuredClone(existing), status: object['status'] ?? {} };
    } else {
      next = {
        ...object,
        metadata: {
          ...metadata,
          name,
          ...(type.namespaced ? { namespace } : {}),
          uid: existingMeta['uid'],
          creationTimestamp: existingMeta['creationTimestamp'],
          resourceVersion: existingMeta['resourceVersion'],
          ...(existingMeta['generation'] !== undefined ? { generation: existingMeta['generation'] } : {}),
        },
      };
      const nextMeta = next['metadata'] as Record<string, unknown>;
      // managedFields are server-owned too: kept as stored, refreshed below only when the write changes something.
      if (existingMeta['managedFields'] === undefined) delete nextMeta['managedFields'];
      else nextMeta['managedFields'] = structuredClone(existingMeta['managedFields']);
      // Server-owned fields come from the stored object, never from the request.
      if (existingMeta['generation'] === undefined) delete nextMeta['generation'];
      if (existingMeta['deletionTimestamp'] === undefined) delete nextMeta['deletionTimestamp'];
      // Writes to the main resource never change status (it has its own subresource).
      if (type.hasStatus) {
        if (existing['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(existing['status']);
      }
    }
    if (sameResource(type, CRD_RESOURCE) && options.subresource !== 'status') {
      checkCrd(type, next, name, this.registry);
      next['status'] = crdStatus(next, existing['status']);
    }
    if (jsonEqual(next, existing)) return servedAs(type, existing);
    const managedFields = withManagerEntry(type, existingMeta['managedFields'], options);
    if (managedFields !== undefined) (next['metadata'] as Record<string, unknown>)['managedFields'] = managedFields;
    if (type.hasSpec && !jsonEqual(next['spec'], existing['spec'])) {
      const generation = typeof existingMeta['generation'] === 'number' ? existingMeta['generation'] : 1;
      (next['metadata'] as Record<string, unknown>)['generation'] = generation + 1;
    }
    if (options.dryRun) return next;
    return this.commit(type, 'MODIFIED', next, existing);
  }

  patch(type: ResourceType, namespace: string | undefined, name: string, patch: unknown, contentType: string, options: WriteOptions = {}): KubeObject {
    const existing = this.objects.get(keyOf(type, namespace, name));
    if (!existing) {
      // Server-side apply creates what does not exist yet.
      if (contentType === 'application/apply-patch+yaml' && options.subresource === undefined) return this.create(type, namespace, patch, options);
      throw notFound(type, name);
    }
    let patched: Record<string, unknown>;
    try {
      // Custom resources have no Go type to take strategic patches; every built-in kind has one.
      patched = applyPatch(servedAs(type, existing), patch, contentType, type.custom === undefined);
    } catch (error) {
      if (error instanceof PatchError && error.message.startsWith('testing value ')) throw patchTestFailed();
      if (error instanceof PatchError) throw fromPatchError(error.code, error.reason, error.message);
      throw error;
    }
    // A resourceVersion in the patch is a precondition; `update` checks it against the stored one.
    return this.update(type, namespace, name, patched, options);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, preconditions: DeletePreconditions = {}, options: WriteOptions = {}): KubeObject {
    const key = keyOf(type, namespace, name);
    const existing = this.objects.get(key);
    if (!existing) throw notFound(type, name);
    const metadata = metadataOf(existing);
    if (preconditions.uid !== undefined && preconditions.uid !== metadata['uid']) {
      throw deletePreconditionFailed(type, name, 'UID', preconditions.uid, String(metadata['uid']));
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== metadata['resourceVersion']) {
      throw deletePreconditionFailed(type, name, 'ResourceVersion', preconditions.resourceVersion, String(metadata['resourceVersion']));
    }
    if (options.dryRun) return structuredClone(existing);
    if (type.kind === 'Namespace' && type.group === '') {
      // Deleting a namespace deletes everything in it first.
      for (const [otherKey, object] of [...this.objects.entries()]) {
        const resource = this.resourceOfKey(otherKey);
        if (resource?.namespaced && metadataOf(object)['namespace'] === name) this.remove(resource, otherKey, object);
      }
    }
    if (sameResource(type, CRD_RESOURCE)) {
      // Deleting a definition deletes its custom objects, then stops serving them.
      const served = this.registry.all().filter((t) => t.custom?.definition === name);
      const first = served[0];
      if (first !== undefined) {
        const prefix = `${first.group}/${first.name}/`;
        for (const [otherKey, object] of [...this.objects.entries()]) if (otherKey.startsWith(prefix)) this.remove(first, otherKey, object);
      }
      const removed = this.remove(type, key, existing);
      this.registry.forget(name);
      return removed;
    }
    return this.remove(type, key, existing);
  }

  /**
   * The matching objects as they were at `resourceVersion`, with their keys, in key order: the
   * consistent snapshot that the pages of one list come from. `expired` once the history no
   * longer reaches back that far.
   */
  listAt(type: ResourceType, selection: Selection, resourceVersion: number): [string, KubeObject][] | { expired: true } {
    if (resourceVersion >= this.version) return this.listKeyed(type, selection);
    if (resourceVersion < this.historyFloor) return { expired: true };
    const prefix = `${type.group}/${type.name}/`;
    const objects = new Map([...this.objects.entries()].filter(([key]) => key.startsWith(prefix)));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const change = this.history[i];
      if (change === undefined || change.resourceVersion <= resourceVersion) break;
      if (!sameResource(change.resource, type)) continue;
      const metadata = metadataOf(change.object);
      const key = keyOf(change.resource, stringField(metadata, 'namespace'), String(metadata['name']));
      if (change.type === 'ADDED') objects.delete(key);
      else if (change.previous !== undefined) objects.set(key, change.previous);
    }
    return [...objects.entries()]
      .filter(([, object]) => matchesSelection(type, object, selection))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, object]) => [key, servedAs(type, object)]);
  }

  /**
   * Changes after `resourceVersion`, or `expired` with the oldest version still
   * available when the history no longer reaches back that far.
   */
  changesSince(resourceVersion: number): Change[] | { expired: true; oldest: number } {
    if (resourceVersion < this.historyFloor) return { expired: true, oldest: this.historyFloor + 1 };
    return this.history.filter((change) => change.resourceVersion > resourceVersion);
  }

  /** Forgets the history: resuming from any version before now gets 410 Expired. */
  trimHistory(): void {
    this.history = [];
    this.historyFloor = this.version;
  }

  /** Calls the listener with every change from now on; the returned function stops it. */
  subscribe(listener: (change: Change) => void): () => void {
    return this.events.on('change', listener);
  }

  private resourceOfKey(key: string): ResourceType | undefined {
    const [group = '', name = ''] = key.split('/');
    return this.registry.findAnyVersion(group, name);
  }

  private remove(type: ResourceType, key: string, existing: KubeObject): KubeObject {
    this.objects.delete(key);
    const deleted = structuredClone(existing);
    this.version++;
    metadataOf(deleted)['resourceVersion'] = String(this.version);
    this.record({ type: 'DELETED', resourceVersion: this.version, resource: type, object: deleted, previous: existing });
    return structuredClone(deleted);
  }

  private stamp(type: ResourceType, object: KubeObject, status: Record<string, unknown> | undefined): KubeObject {
    const metadata: Record<string, unknown> = { ...metadataOf(object) };
    metadata['uid'] = randomUUID();
    metadata['creationTimestamp'] = kubeTime();
    if (type.hasSpec) metadata['generation'] = 1;
    else delete metadata['generation'];
    delete metadata['resourceVersion'];
    delete metadata['managedFields'];
    delete metadata['deletionTimestamp'];
    const stamped: KubeObject = { ...object, apiVersion: apiVersionOf(type), kind: type.kind, metadata };
    if (status === undefined) delete stamped['status'];
    else stamped['status'] = status;
    return stamped;
  }

  private commit(type: ResourceType, changeType: 'ADDED' | 'MODIFIED', object: KubeObject, previous?: KubeObject): KubeObject {
    this.version++;
    const stored = structuredClone(object);
    const metadata = metadataOf(stored);
    metadata['resourceVersion'] = String(this.version);
    this.objects.set(keyOf(type, stringField(metadata, 'namespace'), String(metadata['name'])), stored);
    if (sameResource(type, CRD_RESOURCE)) this.registry.define(String(metadata['name']), crdTypes(stored));
    this.record({ type: changeType, resourceVersion: this.version, resource: type, object: stored, ...(previous ? { previous } : {}) });
    return structuredClone(stored);
  }

  private record(change: Change): void {
    this.history.push(change);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.historyFloor = dropped.resourceVersion;
    }
    this.events.emit('change', change);
  }

  /** Checks a request body against the URL and fills in what typed clients omit. */
  private checkBody(type: ResourceType, namespace: string | undefined, name: string | undefined, body: unknown): KubeObject {
    if (!isRecord(body)) throw badRequest(`the body of the request must be a ${type.kind} object`);
    const metadata = body['metadata'] === undefined ? {} : body['metadata'];
    if (!isRecord(metadata)) throw badRequest('metadata must be an object');
    const label = name ?? stringField(metadata, 'name') ?? '';
    const causes: { field: string; message: string }[] = [];
    const apiVersion = body['apiVersion'];
    if (apiVersion !== undefined && apiVersion !== apiVersionOf(type)) {
      causes.push({ field: 'apiVersion', message: `Invalid value: ${JSON.stringify(apiVersion)}: must be ${apiVersionOf(type)}` });
    }
    if (body['kind'] !== undefined && body['kind'] !== type.kind) {
      causes.push({ field: 'kind', message: `Invalid value: ${JSON.stringify(body['kind'])}: must be ${type.kind}` });
    }
    const bodyName = metadata['name'];
    if (name !== undefined && bodyName !== undefined && bodyName !== '' && bodyName !== name) {
      causes.push({ field: 'metadata.name', message: `Invalid value: ${JSON.stringify(bodyName)}: must match the name in the URL (${name})` });
    }
    const bodyNamespace = metadata['namespace'];
    if (type.namespaced && bodyNamespace !== undefined && bodyNamespace !== '' && bodyNamespace !== namespace) {
      causes.push({ field: 'metadata.namespace', message: `Invalid value: ${JSON.stringify(bodyNamespace)}: must match the namespace in the URL (${namespace ?? ''})` });
    }
    if (causes.length > 0) throw invalid(type, label, causes);
    const normalized: Record<string, unknown> = { ...metadata };
    // Empty maps and lists are not kept, as a real server's typed decoding drops them.
    for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences']) {
      const value = normalized[key];
      if ((Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0)) delete normalized[key];
    }
    if (type.namespaced) normalized['namespace'] = namespace;
    else delete normalized['namespace'];
    return { ...structuredClone(body), apiVersion: apiVersionOf(type), kind: type.kind, metadata: normalized };
  }

  private checkName(type: ResourceType, name: string): void {
    if (name.length > 253 || !NAME.test(name)) {
      throw invalid(type, name, [
        { field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` },
      ]);
    }
  }

  private requireNamespace(namespace: string): void {
    if (!NAMESPACE_TYPE) return;
    if (!this.objects.has(keyOf(NAMESPACE_TYPE, undefined, namespace))) throw notFound(NAMESPACE_TYPE, namespace);
  }
}

export { ApiError };
