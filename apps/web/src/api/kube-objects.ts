/** The part of any Kubernetes object the browse views read. */
export interface KubeObjectSummary {
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
}

function isObjectSummary(value: unknown): value is KubeObjectSummary {
  if (typeof value !== 'object' || value === null || !('metadata' in value)) return false;
  const metadata = value.metadata;
  return typeof metadata === 'object' && metadata !== null && 'name' in metadata && typeof metadata.name === 'string';
}

/** Checks a gateway list response: an array of objects that each have `metadata.name`. */
export function parseObjectList(body: unknown): KubeObjectSummary[] {
  if (!Array.isArray(body) || !body.every(isObjectSummary)) {
    throw new Error('The gateway answered with something that is not a list of Kubernetes objects');
  }
  return body;
}
