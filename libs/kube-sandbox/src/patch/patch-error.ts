/** HTTP status codes a patch can fail with, and the Kubernetes `Status.reason` each maps to. */
export type PatchErrorCode = 400 | 409 | 415 | 422;
export type PatchErrorReason = 'BadRequest' | 'Conflict' | 'UnsupportedMediaType' | 'Invalid';

/**
 * A patch the sandbox refuses, carrying what the API server would answer, so the HTTP
 * layer can turn it into a `Status` body (`code`, `reason`, `message`) unchanged.
 */
export class PatchError extends Error {
  readonly code: PatchErrorCode;
  readonly reason: PatchErrorReason;

  constructor(code: PatchErrorCode, reason: PatchErrorReason, message: string) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
    this.reason = reason;
  }
}

/** A patch document that cannot be understood at all (400). */
export function badRequest(message: string): PatchError {
  return new PatchError(400, 'BadRequest', message);
}

/** A well-formed patch that does not apply to this object (422). */
export function invalid(message: string): PatchError {
  return new PatchError(422, 'Invalid', message);
}
