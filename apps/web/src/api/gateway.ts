/** The error shape every gateway REST endpoint returns. */
export interface GatewayErrorBody {
  error: { code: number; reason: string; message: string };
}

/** A failed gateway call, carrying the gateway's (often the cluster's) own message. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

function isGatewayErrorBody(value: unknown): value is GatewayErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string';
}

/**
 * GETs a gateway path and returns its JSON, checked by `parse` so a wrong shape fails here with a
 * clear message rather than deep inside a component.
 */
export async function getJson<T>(path: string, parse: (body: unknown) => T, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new GatewayError(0, 'Unreachable', 'The Tandem gateway did not answer; is it running?');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    if (isGatewayErrorBody(body)) throw new GatewayError(response.status, body.error.reason, body.error.message);
    throw new GatewayError(response.status, 'Unknown', `${path} failed with HTTP ${response.status}`);
  }
  return parse(body);
}
