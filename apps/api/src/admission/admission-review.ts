/**
 * The AdmissionReview (admission.k8s.io/v1) the API server sends the webhook, validated at the
 * edge, and the response it expects back. Only the fields the lease check reads are typed; the
 * rest of the request is accepted and ignored.
 */
import { z } from 'zod';
import type { JsonObject } from '@tandem/sync';

/** The largest review accepted: an object and its old version, each up to etcd's ~1.5 MiB limit, with room to spare. */
export const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

const jsonObject = z.record(z.string(), z.json()).transform((value): JsonObject => value);

export const AdmissionReviewSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().min(1).max(256),
    kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
    resource: z.object({ group: z.string(), version: z.string(), resource: z.string().min(1) }),
    subResource: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    userInfo: z.object({
      username: z.string().optional(),
      uid: z.string().optional(),
      groups: z.array(z.string()).optional(),
    }),
    object: jsonObject.nullish(),
    oldObject: jsonObject.nullish(),
    dryRun: z.boolean().optional(),
    options: z.object({ fieldManager: z.string().optional() }).loose().nullish(),
  }),
});
export type AdmissionReview = z.infer<typeof AdmissionReviewSchema>;
export type AdmissionRequest = AdmissionReview['request'];

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
}

export interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
