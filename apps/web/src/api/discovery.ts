import { z } from 'zod';

/** One resource type a cluster serves, as the gateway's discovery endpoint reports it. */
export interface ApiResource {
  /** API group; `''` is the core group. */
  group: string;
  version: string;
  /** Plural name as in URLs: `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
}

const apiResourceSchema = z.object({
  group: z.string(),
  version: z.string().min(1),
  resource: z.string().min(1),
  kind: z.string().min(1),
  namespaced: z.boolean(),
  verbs: z.array(z.string()).default([]),
  shortNames: z.array(z.string()).default([]),
});

/** Checks `GET /api/contexts/:context/resources`. */
export function parseApiResources(body: unknown): ApiResource[] {
  const parsed = z.array(apiResourceSchema).safeParse(body);
  if (!parsed.success) throw new Error(`The gateway's discovery answer has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
  return parsed.data;
}

/** Kinds a user can browse: listable top-level resources (no `deployments/status` subresources). */
export function browsableResources(resources: readonly ApiResource[]): ApiResource[] {
  return resources.filter((r) => !r.resource.includes('/') && r.verbs.includes('list') && r.verbs.includes('get'));
}

export interface ApiGroupResources {
  /** Display name of the group: `core` for the core group. */
  group: string;
  resources: ApiResource[];
}

/**
 * Alphabetical order, ignoring case, for the ASCII names Kubernetes uses for kinds and API groups.
 * Not `localeCompare`: its first call builds an ICU collator, tens of ms while the sidebar renders.
 */
function byName(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups resources by API group (core first, then alphabetically), kinds sorted within a group. */
export function groupResources(resources: readonly ApiResource[]): ApiGroupResources[] {
  const byGroup = new Map<string, ApiResource[]>();
  for (const resource of resources) {
    const name = resource.group === '' ? 'core' : resource.group;
    byGroup.set(name, [...(byGroup.get(name) ?? []), resource]);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a === 'core' ? -1 : b === 'core' ? 1 : byName(a, b)))
    .map(([group, list]) => ({ group, resources: list.sort((a, b) => byName(a.kind, b.kind)) }));
}

/** The path segment the gateway uses for an API group (the core group is spelled `core`). */
export function groupSegment(group: string): string {
  return group === '' ? 'core' : group;
}
