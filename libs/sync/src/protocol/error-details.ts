/**
 * What the `details` of a failed ack carry, per error code: one schema each, the types inferred
 * from them, a typed constructor for the gateway (`failWith`) and the parse a client runs on every
 * failed ack (`parseFailure`), so both ends agree on one shape and a mismatch is reported as such.
 */
import { z } from 'zod';
import type { JsonObject } from '../json.js';
import { ResourceRefSchema } from '../resource-ref.js';
import type { AckFail, ErrorCode, ProtocolError } from './protocol.js';

const jsonObjectSchema = z.record(z.string(), z.json());

const fieldChangeSchema = z.object({
  path: z.string(),
  op: z.enum(['add', 'remove', 'replace']),
  before: z.json().optional(),
  after: z.json().optional(),
});

/** A lease as error details carry it (the holder of a field someone else asked for). */
const leaseSchema = z.object({
  // The ref the request named, so the same rule as the request's.
  ref: ResourceRefSchema,
  path: z.string(),
  owner: z.string(),
  sessionId: z.string(),
  token: z.number(),
  expiresAt: z.number(),
});

/** The object changed upstream: its current version, what changed since the save's base, and who changed it. */
export const StaleDetailsSchema = z.object({
  current: jsonObjectSchema,
  resourceVersion: z.string(),
  upstream: z.array(fieldChangeSchema).readonly(),
  changedBy: z.string().optional(),
});

/** A field is leased by someone else: the lease, and for a save the changed field that ran into it. */
export const LockedDetailsSchema = z.object({
  path: z.string().optional(),
  holder: leaseSchema,
});

/** The cluster refused a write: the HTTP code and the Kubernetes Status reason. */
export const RejectedDetailsSchema = z.object({
  code: z.number().int(),
  reason: z.string().optional(),
});

/**
 * Forbidden by the cluster's RBAC (as `rejected`), or a lease request on a field another session
 * holds (the holder); plain refusals carry nothing.
 */
export const ForbiddenDetailsSchema = z.union([z.object({ holder: leaseSchema }), RejectedDetailsSchema]).optional();

/** Over a quota or a rate: the limit, and for rates when to try again. */
export const RateLimitedDetailsSchema = z.object({
  limit: z.number(),
  retryAfterMs: z.number().optional(),
});

/** Too large: the limit, and for a save the object's serialized size. */
export const TooLargeDetailsSchema = z.object({
  limit: z.number(),
  bytes: z.number().optional(),
});

/** Invalid: a save that changed only status says so; other invalid objects carry nothing. */
export const InvalidDetailsSchema = z.object({ statusOnly: z.literal(true) }).optional();

/** Codes whose message says everything. */
const noDetails = z.undefined();

export const ErrorDetailsSchemas = {
  'bad-request': noDetails,
  'unknown-event': noDetails,
  unauthenticated: noDetails,
  'protocol-mismatch': noDetails,
  forbidden: ForbiddenDetailsSchema,
  'not-found': noDetails,
  'not-joined': noDetails,
  'too-large': TooLargeDetailsSchema,
  invalid: InvalidDetailsSchema,
  locked: LockedDetailsSchema,
  stale: StaleDetailsSchema,
  rejected: RejectedDetailsSchema,
  unavailable: noDetails,
  'rate-limited': RateLimitedDetailsSchema,
  internal: noDetails,
} as const satisfies { readonly [C in ErrorCode]: z.ZodType };

/** The `details` each error code carries (`undefined` for codes that carry none). */
export type ErrorDetails = { [C in ErrorCode]: z.infer<(typeof ErrorDetailsSchemas)[C]> };

export type StaleDetails = z.infer<typeof StaleDetailsSchema>;
export type LockedDetails = z.infer<typeof LockedDetailsSchema>;
export type RejectedDetails = z.infer<typeof RejectedDetailsSchema>;
export type ForbiddenDetails = z.infer<typeof ForbiddenDetailsSchema>;
export type RateLimitedDetails = z.infer<typeof RateLimitedDetailsSchema>;
export type TooLargeDetails = z.infer<typeof TooLargeDetailsSchema>;
export type InvalidDetails = z.infer<typeof InvalidDetailsSchema>;

/** A failed ack as the client sees it after checking its details: switch on `code` to get them typed. */
export type Failure = { [C in ErrorCode]: { readonly code: C; readonly message: string; readonly details: ErrorDetails[C] } }[ErrorCode];

/** The details argument of `failWith`: required where the code always carries details, optional where it may, absent where it never does. */
export type DetailsArgument<C extends ErrorCode> = [ErrorDetails[C]] extends [undefined] ? [] : undefined extends ErrorDetails[C] ? [details?: ErrorDetails[C]] : [details: ErrorDetails[C]];

/** Builds a failed ack whose details are checked against the code at compile time. */
export function failWith<C extends ErrorCode>(code: C, message: string, ...details: DetailsArgument<C>): AckFail {
  const [value] = details as [ErrorDetails[C]?];
  if (value === undefined) return { ok: false, error: { code, message } };
  // The schemas above describe plain JSON; the wire type of details is the general JSON object.
  return { ok: false, error: { code, message, details: value as unknown as JsonObject } };
}

/** A failed ack whose details do not have the shape its code promises. */
export interface FailureShapeProblem {
  readonly code: ErrorCode | string;
  readonly message: string;
  /** What does not match, in words. */
  readonly problem: string;
}

/** Checks a failed ack's details against its code; a mismatch (or an unknown code) is returned as a problem, never thrown. */
export function parseFailure(error: ProtocolError): { readonly ok: true; readonly failure: Failure } | { readonly ok: false; readonly problem: FailureShapeProblem } {
  const code: string = error.code;
  if (!Object.hasOwn(ErrorDetailsSchemas, code)) {
    return { ok: false, problem: { code, message: error.message, problem: `unknown error code "${code.slice(0, 64)}"` } };
  }
  const schema: z.ZodType = ErrorDetailsSchemas[error.code];
  const parsed = schema.safeParse(error.details);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? 'details' : `details.${issue.path.join('.')}`;
    return { ok: false, problem: { code: error.code, message: error.message, problem: `${where}: ${issue?.message ?? 'unexpected shape'}` } };
  }
  // The schema for this code accepted the details, so they have its type.
  return { ok: true, failure: { code: error.code, message: error.message, details: parsed.data } as Failure };
}
