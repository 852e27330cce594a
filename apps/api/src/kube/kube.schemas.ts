import { ResourceNameSchema } from '@tandem/sync';
import { z } from 'zod';

/** A DNS-1123 label: namespace names and most resource names follow it. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: API group names follow it. */
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const contextNameSchema = z
  .string()
  .min(1, 'context name must not be empty')
  .max(253, 'context name is longer than 253 characters')
  .refine((name) => !/[\s/]/.test(name), 'context name must not contain whitespace or "/"');

export const namespaceNameSchema = z
  .string()
  .max(63, 'namespace is longer than 63 characters')
  .regex(dnsLabel, 'namespace must be a DNS-1123 label (lowercase letters, digits and "-")');

export const contextParamsSchema = z.object({ context: contextNameSchema });

/** Route params naming a resource type; the core group is written `core` because a path segment cannot be empty. */
export const resourceTypeParamsSchema = z.object({
  context: contextNameSchema,
  group: z
    .string()
    .max(253, 'group is longer than 253 characters')
    .regex(dnsSubdomain, 'group must be "core" or a DNS subdomain such as "apps"'),
  version: z.string().regex(/^v\d+((alpha|beta)\d+)?$/, 'version must look like v1, v1beta1 or v2alpha1'),
  resource: z
    .string()
    .max(253, 'resource is longer than 253 characters')
    .regex(dnsLabel, 'resource must be a lowercase plural such as "deployments"'),
});

export const resourceListQuerySchema = z.object({ namespace: namespaceNameSchema.optional() });

export type ResourceTypeParams = z.infer<typeof resourceTypeParamsSchema>;

/**
 * What the gateway reads of any object; every other field passes through untouched, checked only to
 * be JSON, so a KubeObject is a JsonObject (diff, rebase and the socket protocol take it as it is).
 */
export const kubeObjectSchema = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z.object({ name: z.string(), namespace: z.string().optional(), resourceVersion: z.string().optional() }).catchall(z.json()),
  })
  .catchall(z.json());
export type KubeObject = z.infer<typeof kubeObjectSchema>;

export const kubeListSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ resourceVersion: z.string().optional() }).optional(),
  items: z.array(kubeObjectSchema),
});

/** Route params naming one object: the same name rule as the socket protocol's (no `.`, `..`, `/`). */
export const resourceParamsSchema = resourceTypeParamsSchema.extend({ name: ResourceNameSchema });
export type ResourceParams = z.infer<typeof resourceParamsSchema>;

/** Route params naming a kind for `GET /api/contexts/:context/schemas/:group/:version/:kind`. */
export const kindParamsSchema = z.object({
  context: contextNameSchema,
  group: resourceTypeParamsSchema.shape.group,
  version: resourceTypeParamsSchema.shape.version,
  kind: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,62}$/, 'kind must be a Kind name such as Deployment'),
});
export type KindParams = z.infer<typeof kindParamsSchema>;

export const CONTEXT_STATUSES = ['connected', 'unreachable'] as const;
export type ContextStatus = (typeof CONTEXT_STATUSES)[number];

/** One entry of `GET /api/contexts`. */
export interface ContextSummary {
  readonly name: string;
  readonly server: string;
  readonly namespace: string;
  readonly source: 'sandbox' | 'kubeconfig';
  readonly status: ContextStatus;
}
