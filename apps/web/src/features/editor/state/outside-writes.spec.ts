import type { LockBlocked } from '@tandem/sync';
import { describe, expect, it } from 'vitest';
import { clusterWideNote, outsideWriteMessage } from './outside-writes.js';

const write: LockBlocked = {
  ref: { context: 'lab', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' },
  path: 'spec.replicas',
  holder: 'alice',
  token: 4711,
  requester: 'bob',
  client: 'kubectl-patch',
  changed: ['spec.replicas'],
  enforced: true,
  at: 0,
};

describe('outside writes in the editor', () => {
  it('tells the holder which program, as whom, tried to change what, and what the cluster did', () => {
    expect(outsideWriteMessage(write)).toBe('kubectl (bob) tried to change spec.replicas; the cluster refused it.');
    const { client: _client, ...unnamed } = write;
    expect(outsideWriteMessage({ ...unnamed, enforced: false })).toBe('A client outside Tandem (bob) tried to change spec.replicas; the cluster let it through with a warning.');
  });

  it('marks held fields only when the webhook runs', () => {
    expect(clusterWideNote('enforce')).toContain('protected cluster-wide');
    expect(clusterWideNote('warn')).toContain('warned');
    expect(clusterWideNote('off')).toBe('');
  });
});
