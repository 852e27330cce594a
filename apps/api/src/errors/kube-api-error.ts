import { z } from 'zod';

/** The Status body a Kubernetes API server sends with every failed request. */
const kubeStatusSchema = z.looseObject({
  kind: z.literal('Status'),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().int().optional(),
});

/**
 * A failure to answer a request about a cluster, with the HTTP code and reason the gateway passes on
 * (the upstream Status code and message when the cluster sent one).
 */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  /** Builds the error from an upstream HTTP failure, keeping the Status message kubectl would print. */
  static fromResponse(httpStatus: number, body: string, what: string): KubeApiError {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    const status = kubeStatusSchema.safeParse(json);
    if (status.success) {
      return new KubeApiError(
        status.data.code ?? httpStatus,
        status.data.reason ?? 'Unknown',
        status.data.message ?? `${what} failed with HTTP ${httpStatus}`,
      );
    }
    return new KubeApiError(httpStatus, 'Unknown', `${what} failed with HTTP ${httpStatus} and no Kubernetes Status body`);
  }

  static unreachable(context: string, server: string, cause: unknown): KubeApiError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new KubeApiError(502, 'Unreachable', `Cluster of context "${context}" at ${server} did not answer: ${detail}`);
  }

  static contextNotFound(context: string, known: readonly string[]): KubeApiError {
    const list = known.length > 0 ? known.map((name) => `"${name}"`).join(', ') : 'none';
    return new KubeApiError(404, 'ContextNotFound', `Context "${context}" is not known to this gateway (known: ${list})`);
  }
}
