/**
 * The socket.io protocol between browsers (and tests) and the gateway: typed event maps,
 * the runtime schemas the gateway validates every inbound message with, and the ack shape.
 *
 * Every client -> server event is a request answered by an ack:
 * `{ ok: true, ...result } | { ok: false, error: { code, message, details? } }`.
 * Server -> client events are notifications. docs/protocol.md describes the flows.
 */
import { z } from 'zod';
import type { FieldChange } from '../diff.js';
import type { FieldPath } from '../field-path.js';
import type { JsonObject } from '../json.js';
import { ResourceRefSchema, type ResourceRef } from '../resource-ref.js';
import { MAX_OBJECT_DEPTH, type ValueLimits } from './limits.js';

/** Bumped on any incompatible change; checked at connect (handshake `auth.protocol`). */
export const PROTOCOL_VERSION = 1;

/** Largest object accepted by `resource:save` (serialized JSON), as the API server's own limit is larger. */
export const MAX_OBJECT_BYTES = 1024 * 1024;

/** Largest socket.io message the gateway accepts at all (`maxHttpBufferSize`). */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Errors and acks

export const ERROR_CODES = [
  'bad-request', // the message does not match its schema
  'unknown-event',
  'unauthenticated',
  'protocol-mismatch',
  'forbidden',
  'not-found', // unknown context or resource
  'not-joined', // the request needs `resource:join` first
  'too-large',
  'invalid', // bad object: unparseable, identity changed (kind/name/namespace/apiVersion)
  'locked', // the field is leased by someone else
  'stale', // the object changed upstream in fields this save did not expect
  'rejected', // the cluster refused the write (details: the HTTP code and Status reason)
  'unavailable', // the cluster or the store did not answer
  'rate-limited', // over a quota or a rate limit; details: { limit, retryAfterMs? }
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: JsonObject;
}

export type AckOk<T extends object = object> = { readonly ok: true } & T;
export interface AckFail {
  readonly ok: false;
  readonly error: ProtocolError;
}
export type Ack<T extends object = object> = AckOk<T> | AckFail;

// ---------------------------------------------------------------------------------------
// Identity

/** A typed-in user name (dev sign-in only). */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** What a client sends in the socket.io handshake (`io(url, { auth })`). */
export const HandshakeAuthSchema = z.object({
  /** Only in dev sign-in: every other mode takes the user from the gateway's own session and ignores this. */
  user: z.string().regex(USER_NAME, 'user must be 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit').optional(),
  protocol: z.number().int(),
});
export type HandshakeAuth = z.infer<typeof HandshakeAuthSchema>;

// ---------------------------------------------------------------------------------------
// Contexts

export type ContextStatus = 'ok' | 'degraded' | 'unreachable';

export interface ContextInfo {
  readonly name: string;
  /** API server URL. */
  readonly server: string;
  readonly namespace?: string;
  /** The kubeconfig file that defines the context, or `embedded` for the sandbox. */
  readonly source: string;
  readonly status: ContextStatus;
  /** Why the context is degraded (its file does not parse) or unreachable. */
  readonly error?: string;
}

export interface ContextsChanged {
  readonly contexts: readonly ContextInfo[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Resources

/** A list of one resource type, optionally in one namespace. */
export interface ListRef {
  readonly context: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
}
export const ListRefSchema = ResourceRefSchema.omit({ name: true });

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A new version of one object, as seen by the gateway's shared watch. */
export interface ResourceChanged {
  readonly ref: ResourceRef;
  readonly type: WatchEventType;
  readonly resourceVersion: string;
  /** The fields that changed (bookkeeping included, so status-only updates are visible). */
  readonly paths: readonly FieldPath[];
  /** True when only status or bookkeeping changed: nobody's save can be blocked by it. */
  readonly statusOnly: boolean;
  /** Field manager of the newest managedFields entry (`kubectl-edit`, a controller name). */
  readonly manager?: string;
  /** The Tandem user whose save produced this version, when it came through Tandem. */
  readonly user?: string;
  /** The object at this version (absent for DELETED). */
  readonly object?: JsonObject;
}

/** A change in a watched list: one item added, modified or deleted. */
export interface ListChanged {
  readonly list: ListRef;
  readonly type: WatchEventType;
  readonly name: string;
  readonly namespace?: string;
  readonly resourceVersion: string;
}

// ---------------------------------------------------------------------------------------
// Presence

export interface CursorSelection {
  /** 1-based line and column, as Monaco counts them. */
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface PresenceSession {
  readonly sessionId: string;
  readonly user: string;
  readonly color: string;
  readonly field?: FieldPath;
  readonly selection?: CursorSelection;
  readonly idle: boolean;
  /** Epoch milliseconds of the last update. */
  readonly updatedAt: number;
}

export type PresenceChange = 'joined' | 'updated' | 'left';

export interface PresenceChanged {
  readonly ref: ResourceRef;
  readonly change: PresenceChange;
  readonly session: PresenceSession;
}

/** Who has which resource open in a context (for avatars in the resource browser). */
export interface PresenceSummary {
  readonly context: string;
  readonly resources: readonly { readonly ref: ResourceRef; readonly users: readonly { readonly user: string; readonly color: string }[] }[];
}

// ---------------------------------------------------------------------------------------
// Leases

export interface Lease {
  readonly ref: ResourceRef;
  readonly path: FieldPath;
  readonly owner: string;
  readonly sessionId: string;
  /** Monotonic per store (fencing token): a newer grant always has a larger token. */
  readonly token: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** A lease as `lock:changed` announces it: the resource is the event's `ref`, said once for all. */
export type LeaseGrant = Omit<Lease, 'ref'>;

/** A lease that ended: released, saved, left, disconnected, or lapsed. Tokens are unique per store. */
export interface LeaseEnded {
  readonly path: FieldPath;
  readonly token: number;
}

/**
 * What changed in a resource's leases since the gateway's last `lock:changed` for it (a few
 * milliseconds of changes, coalesced). The current set comes with the `resource:join` ack; a
 * client keeps it up to date with these deltas (`LeaseBook`). Renewals are not announced: they
 * change only `expiresAt`, and a lease stays live for its holder until it is announced as ended.
 */
export interface LockChanged {
  readonly ref: ResourceRef;
  /** Leases granted on `ref` (a session re-acquiring its own field repeats its token). */
  readonly acquired: readonly LeaseGrant[];
  /** Leases that ended. A token in both lists ended after it was granted. */
  readonly released: readonly LeaseEnded[];
}

/**
 * A write from outside Tandem (kubectl, a pipeline) that changed a leased field: the cluster's
 * admission webhook refused it (`enforced`) or admitted it with a warning. Sent to the resource
 * room so the holder hears "kubectl (bob) tried to change spec.replicas".
 */
export interface LockBlocked {
  readonly ref: ResourceRef;
  /** The leased field the write ran into. */
  readonly path: FieldPath;
  readonly holder: string;
  /** The holder's lease token. */
  readonly token: number;
  /** The cluster user who tried to write. */
  readonly requester: string;
  /** The writing program as the cluster's field manager names it (`kubectl-scale`, `kubectl-patch`…), when it said. */
  readonly client?: string;
  /** The changed fields under the lease. */
  readonly changed: readonly FieldPath[];
  readonly enforced: boolean;
  /** Epoch milliseconds when the webhook answered. */
  readonly at: number;
}

// ---------------------------------------------------------------------------------------
// Saves

export interface SaveResult {
  readonly resourceVersion: string;
  readonly object: JsonObject;
  readonly dryRun: boolean;
  /** The fields this save changed. */
  readonly changes: readonly FieldChange[];
}

// ---------------------------------------------------------------------------------------
// Requests (client -> server): payload schemas

const fieldPathSchema = z.string().min(1).max(1024);
const jsonObjectSchema = z.record(z.string(), z.json());
const tokenSchema = z.number().int().positive();

export const RequestSchemas = {
  'resource:join': z.strictObject({ ref: ResourceRefSchema }),
  'resource:leave': z.strictObject({ ref: ResourceRefSchema }),
  'list:watch': z.strictObject({ list: ListRefSchema }),
  'list:unwatch': z.strictObject({ list: ListRefSchema }),
  'presence:update': z.strictObject({
    ref: ResourceRefSchema,
    field: fieldPathSchema.nullable().optional(),
    selection: z
      .strictObject({
        startLine: z.number().int().min(1),
        startColumn: z.number().int().min(1),
        endLine: z.number().int().min(1),
        endColumn: z.number().int().min(1),
      })
      .nullable()
      .optional(),
    idle: z.boolean().optional(),
  }),
  'presence:summary': z.strictObject({ context: z.string().min(1).max(253) }),
  'lock:acquire': z.strictObject({ ref: ResourceRefSchema, path: fieldPathSchema }),
  'lock:renew': z.strictObject({ ref: ResourceRefSchema, path: fieldPathSchema, token: tokenSchema }),
  'lock:release': z.strictObject({ ref: ResourceRefSchema, path: fieldPathSchema, token: tokenSchema }),
  'resource:save': z.strictObject({
    ref: ResourceRefSchema,
    baseResourceVersion: z.string().min(1).max(64),
    object: jsonObjectSchema,
    dryRun: z.boolean().optional(),
  }),
} as const;

export type RequestName = keyof typeof RequestSchemas;

/**
 * Bounds checked (without recursion, `checkBounds`) before a request's schema runs: a save carries
 * a whole object (at most MAX_OBJECT_BYTES, MAX_OBJECT_DEPTH levels below it); every other request
 * is a few short fields.
 */
const SMALL_REQUEST: ValueLimits = { maxDepth: 4, maxBytes: 8 * 1024 };
export const REQUEST_LIMITS: { readonly [E in RequestName]: ValueLimits } = {
  'resource:join': SMALL_REQUEST,
  'resource:leave': SMALL_REQUEST,
  'list:watch': SMALL_REQUEST,
  'list:unwatch': SMALL_REQUEST,
  'presence:update': SMALL_REQUEST,
  'presence:summary': SMALL_REQUEST,
  'lock:acquire': SMALL_REQUEST,
  'lock:renew': SMALL_REQUEST,
  'lock:release': SMALL_REQUEST,
  // The payload, then its `object`, then the object's own levels.
  'resource:save': { maxDepth: MAX_OBJECT_DEPTH + 1, maxBytes: MAX_OBJECT_BYTES + 8 * 1024 },
};

/** `lock:changed` as gateways relay it to each other (and as a client may check it). */
export const LockChangedSchema = z.strictObject({
  ref: ResourceRefSchema,
  acquired: z.array(z.strictObject({ path: fieldPathSchema, owner: z.string().min(1), sessionId: z.string().min(1), token: tokenSchema, expiresAt: z.number() })),
  released: z.array(z.strictObject({ path: fieldPathSchema, token: tokenSchema })),
}) satisfies z.ZodType<LockChanged>;
export type RequestPayload<E extends RequestName> = z.infer<(typeof RequestSchemas)[E]>;

/** What each request's successful ack carries besides `ok: true`. */
export interface RequestResults {
  'resource:join': { resourceVersion: string; object: JsonObject; presence: PresenceSession[]; leases: Lease[] };
  'resource:leave': object;
  'list:watch': object;
  'list:unwatch': object;
  'presence:update': object;
  'presence:summary': { summary: PresenceSummary };
  'lock:acquire': { lease: Lease };
  'lock:renew': { lease: Lease };
  'lock:release': object;
  'resource:save': SaveResult;
}

export const REQUEST_NAMES = Object.keys(RequestSchemas) as RequestName[];

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(RequestSchemas, name);
}

// ---------------------------------------------------------------------------------------
// socket.io event maps

export type ClientToServerEvents = {
  [E in RequestName]: (payload: RequestPayload<E>, ack: (result: Ack<RequestResults[E]>) => void) => void;
};

export interface ServerToClientEvents {
  'contexts:changed': (event: ContextsChanged) => void;
  'resource:changed': (event: ResourceChanged) => void;
  'list:changed': (event: ListChanged) => void;
  'presence:changed': (event: PresenceChanged) => void;
  'presence:summary': (event: PresenceSummary) => void;
  'lock:changed': (event: LockChanged) => void;
  'lock:blocked': (event: LockBlocked) => void;
}

export type ServerEventName = keyof ServerToClientEvents;

/** Rooms are named after what they carry. */
export const rooms = {
  resource: (key: string): string => `resource:${key}`,
  list: (key: string): string => `list:${key}`,
  context: (context: string): string => `context:${context}`,
  user: (user: string): string => `user:${user}`,
} as const;
