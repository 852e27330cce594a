import type { Lease } from '@tandem/sync';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editorYamlOf } from './editor-view.js';
import { leasePathForEdit, lockAtLines, lockedFields, parseEditorText, planUpstream, saveBlockReason } from './pair-editing.js';

const base = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, resourceVersion: '10' },
  spec: { replicas: 2 },
};
const text = editorYamlOf(base);

function lease(path: string, owner: string, sessionId: string): Lease {
  return { ref: { context: 'c', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' }, path, owner, sessionId, token: 1, expiresAt: 0 };
}

describe(leasePathForEdit.name, () => {
  it('leases the field being edited', () => {
    const edited = text.replace('replicas: 2', 'replicas: 25');
    expect(leasePathForEdit(base, edited, edited.indexOf('25') + 1)).toBe('spec.replicas');
  });

  it('leases the map when a new key is typed into it', () => {
    const edited = text.replace('    app: web\n', '    app: web\n    tea\n');
    expect(leasePathForEdit(base, edited, edited.indexOf('tea') + 2)).toBe('metadata.labels');
  });

  it('leases a new key, not a whole top-level section, when its map is new too', () => {
    const edited = text.replace('  namespace: shop\n', '  namespace: shop\n  annotations:\n    team: pay\n');
    expect(leasePathForEdit(base, edited, edited.indexOf('team'))).toBe('metadata.annotations');
  });

  it('asks for no lease in status (controllers write it) or on a whole section (the gateway refuses both)', () => {
    const withStatus = { ...base, status: { replicas: 2 } };
    const statusText = editorYamlOf(withStatus).replace(/status:\n {2}replicas: 2/, 'status:\n  replicas: 7');
    expect(leasePathForEdit(withStatus, statusText, statusText.lastIndexOf('7'))).toBeUndefined();
    const sectionText = text.replace('spec:', 'spec: ');
    expect(leasePathForEdit(base, sectionText, sectionText.indexOf('spec:') + 5)).toBeUndefined();
  });
});

describe(lockedFields.name, () => {
  it("places other sessions' leases on whole lines and ignores this session's own", () => {
    const locks = lockedFields(text, [lease('spec.replicas', 'bob', 's-bob'), lease('metadata.labels', 'alice', 's-alice')], 's-alice');
    expect(locks.map((l) => l.lease.owner)).toEqual(['bob']);
    const line = text.split('\n').findIndex((l) => l.includes('replicas')) + 1;
    expect(locks[0]?.span).toEqual({ startLine: line, endLine: line });
    expect(lockAtLines(locks, line, line)?.lease.path).toBe('spec.replicas');
    expect(lockAtLines(locks, 1, 1)).toBeUndefined();
  });
});

describe(planUpstream.name, () => {
  it("carries the user's label onto a version with someone else's annotation, as text edits", () => {
    const mine = text.replace('    app: web\n', '    app: web\n    team: payments # mine\n');
    const theirs = { ...base, metadata: { ...base.metadata, resourceVersion: '11', annotations: { owner: 'alice' } } };
    const plan = planUpstream(base, mine, theirs);
    expect(plan.kind).toBe('rebased');
    if (plan.kind !== 'rebased') return;
    expect(plan.kept).toEqual(['metadata.labels.team']);
    let out = mine;
    for (const edit of [...plan.edits].sort((a, b) => b.range.start - a.range.start)) out = out.slice(0, edit.range.start) + edit.text + out.slice(edit.range.end);
    expect(parse(out)).toEqual({ ...theirs, metadata: { ...theirs.metadata, labels: { app: 'web', team: 'payments' } } });
    expect(out).toContain('# mine');
  });

  it('names a conflict when both sides changed the same field', () => {
    const mine = text.replace('replicas: 2', 'replicas: 5');
    const plan = planUpstream(base, mine, { ...base, spec: { replicas: 7 } });
    expect(plan.kind).toBe('conflict');
    if (plan.kind === 'conflict') expect(plan.result.conflicts.map((c) => c.path)).toEqual(['spec.replicas']);
  });

  it('waits while the text does not parse', () => {
    expect(planUpstream(base, 'spec: [', base)).toMatchObject({ kind: 'unparseable' });
  });
});

describe(saveBlockReason.name, () => {
  const ready = { readOnly: false, connected: true, conflicts: 0, behind: false, parsed: parseEditorText(text.replace('replicas: 2', 'replicas: 3')), base, saving: false };

  it('allows a save of a real change', () => {
    expect(saveBlockReason(ready)).toBeNull();
  });

  it('says why saving is off', () => {
    expect(saveBlockReason({ ...ready, parsed: parseEditorText(text) })).toBe('Nothing changed');
    expect(saveBlockReason({ ...ready, conflicts: 2 })).toBe('Resolve 2 conflicts first');
    expect(saveBlockReason({ ...ready, parsed: parseEditorText('a: [') })).toMatch(/^The YAML does not parse/);
    expect(saveBlockReason({ ...ready, readOnly: true })).toMatch(/context was removed/);
    expect(saveBlockReason({ ...ready, connected: false })).toBe('Not connected to the gateway');
  });
});
