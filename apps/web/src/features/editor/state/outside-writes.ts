import type { LockBlocked } from '@tandem/sync';

export type AdmissionMode = 'off' | 'warn' | 'enforce';

/** What the editor says beside a held field when leases hold cluster-wide. */
export function clusterWideNote(mode: AdmissionMode): string {
  return mode === 'enforce' ? 'protected cluster-wide: kubectl and other clients cannot change it meanwhile' : mode === 'warn' ? 'other clients (kubectl) are warned before they change it' : '';
}

/** "kubectl (bob) tried to change spec.replicas; the cluster refused it." */
export function outsideWriteMessage(write: LockBlocked): string {
  const program = write.client === undefined ? 'A client outside Tandem' : (write.client.split('-')[0] ?? write.client);
  return `${program} (${write.requester}) tried to change ${write.changed.join(', ')}; the cluster ${write.enforced ? 'refused it' : 'let it through with a warning'}.`;
}
