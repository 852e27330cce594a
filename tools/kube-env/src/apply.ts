/**
 * Creates objects in a kube-env cluster as they stand in another cluster (e.g. the sandbox's
 * demo data): server-owned metadata dropped, owner and involved-object uids mapped to the new
 * objects, status written through the status subresource as a controller would.
 */
import type { KubeEnv } from './index.js';

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

const SERVER_OWNED_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp'];

function collectionPath(apiVersion: string, resource: ApiResource, namespace: string | undefined): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return resource.namespaced ? `${base}/namespaces/${namespace ?? 'default'}/${resource.name}` : `${base}/${resource.name}`;
}

export interface ApplyResult {
  readonly created: number;
  readonly existing: number;
}

/** Creates each object in order (owners before what they own); an object that already exists is left as it is. */
export async function createObjects(env: KubeEnv, objects: readonly Json[]): Promise<ApplyResult> {
  const discovery = new Map<string, ApiResource[]>();
  const resourceFor = async (apiVersion: string, kind: string): Promise<ApiResource> => {
    let resources = discovery.get(apiVersion);
    if (resources === undefined) {
      const response = await env.request('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
      if (response.status !== 200 || !isRecord(response.body) || !Array.isArray(response.body['resources'])) throw new Error(`Discovery of ${apiVersion} answered ${String(response.status)}`);
      resources = (response.body['resources'] as ApiResource[]).filter((resource) => !resource.name.includes('/'));
      discovery.set(apiVersion, resources);
    }
    const resource = resources.find((candidate) => candidate.kind === kind);
    if (resource === undefined) throw new Error(`${apiVersion} serves no kind ${kind}`);
    return resource;
  };
  const uids = new Map<string, string>();
  const key = (kind: unknown, namespace: unknown, name: unknown): string => `${String(kind)}/${String(namespace ?? '')}/${String(name)}`;
  let created = 0;
  let existing = 0;

  for (const original of objects) {
    const object = structuredClone(original);
    const apiVersion = String(object['apiVersion']);
    const kind = String(object['kind']);
    const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
    const oldUid = metadata['uid'];
    for (const field of SERVER_OWNED_METADATA) delete metadata[field];
    if (Array.isArray(metadata['ownerReferences'])) {
      metadata['ownerReferences'] = metadata['ownerReferences'].filter(isRecord).map((owner) => ({ ...owner, uid: uids.get(key(owner['kind'], metadata['namespace'], owner['name'])) ?? owner['uid'] }));
    }
    const involved = object['involvedObject'];
    if (isRecord(involved)) {
      involved['uid'] = uids.get(key(involved['kind'], involved['namespace'], involved['name'])) ?? involved['uid'];
      delete involved['resourceVersion'];
    }
    const spec = object['spec'];
    // Cluster IPs come from this cluster's own service range.
    if (kind === 'Service' && isRecord(spec)) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    const status = object['status'];
    delete object['status'];

    const resource = await resourceFor(apiVersion, kind);
    const path = collectionPath(apiVersion, resource, typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined);
    const response = await env.request('POST', path, object);
    if (response.status === 409) {
      existing += 1;
      const current = await env.request('GET', `${path}/${String(metadata['name'])}`);
      const currentMetadata = isRecord(current.body) && isRecord(current.body['metadata']) ? current.body['metadata'] : {};
      if (typeof oldUid === 'string') uids.set(key(kind, metadata['namespace'], metadata['name']), String(currentMetadata['uid']));
      continue;
    }
    if (response.status !== 201 || !isRecord(response.body)) throw new Error(`Creating ${kind} ${String(metadata['name'])} answered ${String(response.status)}: ${JSON.stringify(response.body)}`);
    created += 1;
    const createdMetadata = isRecord(response.body['metadata']) ? response.body['metadata'] : {};
    uids.set(key(kind, metadata['namespace'], metadata['name']), String(createdMetadata['uid']));
    if (isRecord(status) && Object.keys(status).length > 0 && kind !== 'Namespace') {
      // A Pod's QoS class is the server's to compute at create, and immutable after it.
      const createdStatus = isRecord(response.body['status']) ? response.body['status'] : {};
      const written = await env.request('PUT', `${path}/${String(metadata['name'])}/status`, {
        ...response.body,
        status: { ...status, ...(createdStatus['qosClass'] !== undefined ? { qosClass: createdStatus['qosClass'] } : {}) },
      });
      if (written.status !== 200) throw new Error(`Writing the status of ${kind} ${String(metadata['name'])} answered ${String(written.status)}: ${JSON.stringify(written.body)}`);
    }
  }
  return { created, existing };
}
