import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';

/** The `Status` body a Kubernetes API server sends with every failed request. */
export const kubeStatusSchema = z.object({
  kind: z.literal('Status'),
  apiVersion: z.literal('v1'),
  status: z.literal('Failure'),
  message: z.string(),
  reason: z.string(),
  code: z.number().int(),
  details: z
    .object({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
    })
    .optional(),
});

export type KubeStatus = z.infer<typeof kubeStatusSchema>;

export interface ApiFailure {
  /** HTTP status code as client-node reports it. */
  code: number;
  status: KubeStatus;
}

/** Parses a Status body that arrived as JSON text or as an already decoded value. */
export function parseKubeStatus(body: unknown): KubeStatus {
  const decoded: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  return kubeStatusSchema.parse(decoded);
}

/**
 * Awaits a client-node call that is expected to fail and returns its code and Status body,
 * so a test can assert on what a user would read (the message, the reason).
 */
export async function apiFailureOf(call: Promise<unknown>): Promise<ApiFailure> {
  let result: unknown;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof ApiException) {
      return { code: error.code, status: parseKubeStatus(error.body) };
    }
    throw error;
  }
  throw new Error(`Expected the request to fail, but it succeeded with ${JSON.stringify(result)}`);
}
