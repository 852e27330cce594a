import type { ResourceType } from './resources.js';
import { qualifiedName } from './resources.js';

/** A `meta.k8s.io/v1` Status body, as the API server sends it with every error. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  /** Empty, except for the inconsistent continue token of an expired paged list. */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: { reason?: string; message: string; field?: string }[] };
  code: number;
}

/** An error that becomes an HTTP response with a Status body. */
export class ApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message);
    this.name = 'ApiError';
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function detailsOf(type: ResourceType, name: string): NonNullable<StatusBody['details']> {
  return { name, ...(type.group ? { group: type.group } : {}), kind: type.name };
}

export function notFound(type: ResourceType, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, detailsOf(type, name));
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedName(type)} "${name}" already exists`, detailsOf(type, name));
}

export function conflict(type: ResourceType, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": ${why}`, detailsOf(type, name));
}

export function invalid(type: ResourceType, name: string, causes: { field: string; message: string }[]): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
  return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${text}`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return failure(405, 'MethodNotAllowed', message);
}

export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource');
}

export function unsupportedMediaType(contentType: string): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`.concat(contentType ? ` (got ${contentType})` : ''));
}

export function entityTooLarge(limit: number): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function expired(requested: string, oldest: number): ApiError {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** A paged list whose snapshot is gone: the real server's words, with a token that continues at the latest version. */
export function continueExpired(inconsistentToken: string): ApiError {
  const error = failure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  error.status.metadata = { continue: inconsistentToken };
  return error;
}

export function fromPatchError(code: number, reason: string, message: string): ApiError {
  return failure(code, reason, message);
}

/** The Status of a successful delete: as a real server sends it, without a code. */
export function success(type: ResourceType, name: string, uid: string | undefined): Omit<StatusBody, 'code'> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsOf(type, name), ...(uid ? { uid } : {}) } };
}

/** A delete whose uid or resourceVersion precondition fails, worded as the API server's storage words it (details name the Kind). */
export function deletePreconditionFailed(type: ResourceType, name: string, field: 'UID' | 'ResourceVersion', wanted: string, actual: string): ApiError {
  const why = field === 'UID' ? 'The object might have been deleted and then recreated' : 'The object might have been modified';
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${type.kind} "${name}": the ${field} in the precondition (${wanted}) does not match the ${field} in record (${actual}). ${why}`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
  });
}

/** A JSON patch whose `test` fails: the real server answers with no more than this. */
export function patchTestFailed(): ApiError {
  return failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}
