/**
 * The webhook's decision, without I/O: which fields a write changes (the same field paths and
 * merge keys as every Tandem diff) and which of them lie under a live lease of someone else.
 */
import { diffFields, overlaps, type FieldChange, type JsonObject, type JsonValue, type Lease, type ResourceRef } from '@tandem/sync';
import type { AdmissionRequest } from './admission-review.js';

/** Users whose name starts with this are the control plane itself (kube-controller-manager, kube-scheduler…). */
const SYSTEM_USER_PREFIX = 'system:';
/** …except service accounts, which is what pipelines run as: those are exempt only through their groups. */
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

export interface Exemptions {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** Why a write passes without looking at leases, or undefined when leases decide. */
export function passReason(request: AdmissionRequest, exempt: Exemptions): string | undefined {
  if (request.operation !== 'UPDATE') return 'not an update';
  if (request.subResource !== undefined && request.subResource !== 'scale') return `the ${request.subResource} subresource`;
  if (request.name === undefined || request.name === '') return 'no object name';
  const user = request.userInfo.username ?? '';
  if (exempt.users.includes(user)) return `exempt user ${user}`;
  if (user.startsWith(SYSTEM_USER_PREFIX) && !user.startsWith(SERVICE_ACCOUNT_PREFIX)) return `system user ${user}`;
  const group = (request.userInfo.groups ?? []).find((candidate) => exempt.groups.includes(candidate));
  if (group !== undefined) return `exempt group ${group}`;
  return undefined;
}

/** The Tandem address of the object a review is about, in the webhook's context. */
export function refOf(request: AdmissionRequest, context: string): ResourceRef {
  const { group, version, resource } = request.resource;
  return { context, group, version, resource, ...(request.namespace ? { namespace: request.namespace } : {}), name: request.name ?? '' };
}

/**
 * The fields a write changes. A `scale` subresource write carries Scale objects (autoscaling/v1),
 * whose `spec.replicas` is the scaled object's `spec.replicas`: only that field is compared.
 */
export function changedFields(request: AdmissionRequest): FieldChange[] {
  const before = request.oldObject ?? {};
  const after = request.object ?? {};
  if (request.subResource === 'scale') return diffFields({ spec: { replicas: replicasOf(before) } }, { spec: { replicas: replicasOf(after) } });
  return diffFields(before, after);
}

function replicasOf(scale: JsonObject): JsonValue {
  const spec = scale['spec'];
  return typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec['replicas'] ?? null) : null;
}

export interface LeaseConflict {
  readonly lease: Lease;
  /** The changed fields under it. */
  readonly changes: readonly FieldChange[];
}

/** Leases of others that the write's changes fall under, each with the changes it covers. */
export function conflicts(changes: readonly FieldChange[], leases: readonly Lease[], requester: string, now: number): LeaseConflict[] {
  const found: LeaseConflict[] = [];
  for (const lease of leases) {
    if (lease.owner === requester || lease.expiresAt <= now) continue;
    const covered = changes.filter((change) => overlaps(lease.path, change.path));
    if (covered.length > 0) found.push({ lease, changes: covered });
  }
  return found;
}

/** `HH:MM:SS` in UTC: the API server and the person reading kubectl's output may be anywhere. */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** What kubectl prints: `spec.replicas is being edited in Tandem by alice until 14:03:07 (lease 4711); try again when it is released`. */
export function conflictMessage(conflict: LeaseConflict): string {
  const { lease } = conflict;
  return `${lease.path} is being edited in Tandem by ${lease.owner} until ${clockTime(lease.expiresAt)} (lease ${lease.token}); try again when it is released`;
}
