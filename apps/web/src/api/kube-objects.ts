import { z } from 'zod';

/** The part of any Kubernetes object the browse views read. */
export interface KubeObjectSummary {
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
}

const objectSummarySchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.string().optional(),
  }),
});

/** A list of objects with the list's resourceVersion, when the gateway reports one. */
export interface ObjectList {
  items: KubeObjectSummary[];
  resourceVersion?: string;
}

const objectListSchema = z.union([
  z.array(objectSummarySchema).transform((items) => ({ items })),
  z.looseObject({ items: z.array(objectSummarySchema), resourceVersion: z.string().optional() }),
]);

/**
 * Checks a gateway list response: either a bare array of objects or `{ resourceVersion, items }`
 * (the gateway is moving to the latter), each item with `metadata.name`.
 */
export function parseObjectListWithVersion(body: unknown): ObjectList {
  const parsed = objectListSchema.safeParse(body);
  if (!parsed.success) throw new Error('The gateway answered with something that is not a list of Kubernetes objects');
  const { items, resourceVersion } = parsed.data as { items: KubeObjectSummary[]; resourceVersion?: string };
  return resourceVersion === undefined ? { items } : { items, resourceVersion };
}

/** Checks a gateway list response and returns its items. */
export function parseObjectList(body: unknown): KubeObjectSummary[] {
  return parseObjectListWithVersion(body).items;
}
