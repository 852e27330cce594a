import { applyTextEdits, failWith, type JsonObject, type Lease, type ProtocolError, type ResourceChanged, type TextEdit } from '@tandem/sync';
import { requestError, type TandemClient } from '@tandem/sync/client';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EditingSession, type FieldLeases, type SessionText } from './editing-session.js';
import { saveSession } from './save-flow.js';

const ref = { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };
const OWN = 'own-session';

function deployment(resourceVersion: string, replicas: number, labels: Record<string, string> = { app: 'web' }, status?: JsonObject): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels, resourceVersion },
    spec: { replicas, paused: false },
    ...(status !== undefined ? { status } : {}),
  };
}

let tokens = 0;
function lease(path: string, owner: string, sessionId: string): Lease {
  tokens += 1;
  return { ref, path, owner, sessionId, token: tokens, expiresAt: 0 };
}

/** The editor's text as a string; like Monaco, every change is reported to the session at once. */
class StringText implements SessionText {
  value = '';
  readOnly = false;
  session: EditingSession | undefined;
  read(): string {
    return this.value;
  }
  replaceAll(text: string): void {
    this.value = text;
    this.session?.textChanged([0]);
  }
  applyUpstream(text: string, edits: readonly TextEdit[]): void {
    this.value = applyTextEdits(text, edits);
    this.session?.textChanged(edits.map((edit) => edit.range.start));
  }
  applyAsUser(edits: readonly TextEdit[]): boolean {
    if (this.readOnly) return false;
    this.applyUpstream(this.value, edits);
    return true;
  }
  /** The user replaces the first `from` with `to`. */
  type(from: string, to: string): void {
    const at = this.value.indexOf(from);
    if (at < 0) throw new Error(`"${from}" is not in the text`);
    this.value = this.value.slice(0, at) + to + this.value.slice(at + from.length);
    this.session?.textChanged([at]);
  }
  object(): unknown {
    return parse(this.value);
  }
}

class RecordedLeases implements FieldLeases {
  readonly edited = vi.fn<(path: string) => void>();
  readonly releaseAll = vi.fn<() => void>();
  readonly forget = vi.fn<() => void>();
  readonly dispose = vi.fn<() => void>();
}

function open(object: JsonObject = deployment('10', 2), leases: readonly Lease[] = []) {
  const text = new StringText();
  const held = new RecordedLeases();
  const session = new EditingSession(text, held, () => OWN);
  text.session = session;
  session.joined(object, '10', [], leases);
  return { text, held, session };
}

function pushed(object: JsonObject, resourceVersion: string, user = 'bob'): ResourceChanged {
  return { ref, type: 'MODIFIED', resourceVersion, paths: [], statusOnly: false, user, object };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe(EditingSession.name, () => {
  it('loads the joined version as the text and its base, with others\' leases placed on it', () => {
    const { text, session } = open(deployment('10', 2), [lease('spec.replicas', 'bob', 'bob-session'), lease('metadata.labels.app', 'me', OWN)]);
    const snap = session.getSnapshot();
    expect(text.object()).toMatchObject({ spec: { replicas: 2 } });
    expect(snap.baseResourceVersion).toBe('10');
    expect(snap.parsed.ok).toBe(true);
    expect(snap.locks.map((l) => l.lease.path)).toEqual(['spec.replicas']);
    expect(snap.ownLeases).toEqual(['metadata.labels.app']);
  });

  it('leases the field the user types in, and keeps that edit when an upstream version changes another field', () => {
    const { text, held, session } = open();
    text.type('app: web', 'app: shop');
    expect(held.edited).toHaveBeenCalledWith('metadata.labels.app');

    session.upstreamChanged(pushed(deployment('11', 5), '11'));
    expect(text.object()).toMatchObject({ metadata: { labels: { app: 'shop' } }, spec: { replicas: 5 } });
    expect(session.getSnapshot()).toMatchObject({ baseResourceVersion: '11', conflict: null, upstream: { keptLocalEdits: true } });
    // The session's own rebase is not the user's edit: no lease for spec.replicas.
    expect(held.edited).not.toHaveBeenCalledWith('spec.replicas');
  });

  it('shows a conflict when both sides change a field, and applies the user\'s choice onto their version', () => {
    const { text, session } = open();
    text.type('replicas: 2', 'replicas: 3');
    session.upstreamChanged(pushed(deployment('11', 5, { app: 'web', tier: 'front' }), '11'));
    const conflict = session.getSnapshot().conflict;
    expect(conflict?.result.conflicts.map((c) => c.path)).toEqual(['spec.replicas']);
    expect(conflict?.theirs.by).toBe('bob');

    session.choose('spec.replicas', 'mine');
    session.applyResolution();
    expect(text.object()).toMatchObject({ metadata: { labels: { app: 'web', tier: 'front' } }, spec: { replicas: 3 } });
    expect(session.getSnapshot()).toMatchObject({ conflict: null, baseResourceVersion: '11', choices: {} });
  });

  it('waits with an upstream version while the YAML does not parse, and takes it in once it does', () => {
    const { text, session } = open();
    text.type('replicas: 2', 'replicas: [2');
    session.upstreamChanged(pushed(deployment('11', 2, { app: 'web', tier: 'front' }), '11'));
    expect(session.getSnapshot().behind).toMatch(/^Version 11 is waiting: /);

    text.type('replicas: [2', 'replicas: 4');
    vi.runOnlyPendingTimers();
    expect(session.getSnapshot()).toMatchObject({ behind: null, baseResourceVersion: '11' });
    expect(text.object()).toMatchObject({ metadata: { labels: { tier: 'front' } }, spec: { replicas: 4 } });
  });

  it('stops edits on status lines, in others\' locked fields, and everywhere once the context is removed', () => {
    const { text, session } = open(deployment('10', 2, { app: 'web' }, { readyReplicas: 2 }), [lease('spec.replicas', 'bob', 'bob-session')]);
    const replicasLine = session.getSnapshot().locks[0]?.span.startLine ?? 0;
    expect(session.editBlockAt([{ startLine: 1, endLine: 1 }])).toBeUndefined();
    expect(session.editBlockAt([{ startLine: replicasLine, endLine: replicasLine }])?.shown).toBe('locked by bob: spec.replicas is being edited');

    const statusLine = text.value.split('\n').indexOf('status:') + 1;
    expect(statusLine).toBeGreaterThan(0);
    session.readOnlyEditAttempted([{ startLine: statusLine, endLine: statusLine }]);
    expect(session.getSnapshot().refused).toMatch(/^Not applied: status is written by the cluster's controllers/);
    vi.advanceTimersByTime(6_000);
    expect(session.getSnapshot().refused).toBeNull();

    session.setContextRemoved(true);
    expect(session.getSnapshot().readOnly).toBe(true);
    expect(session.editBlockAt([{ startLine: 1, endLine: 1 }])?.refusal).toMatch(/^Read-only: this context was removed/);
  });

  it('edits the whole object as the user would: applied, unchanged, refused where read-only, or not while the YAML is broken', () => {
    const { text, held, session } = open();
    const scaled = (current: JsonObject): JsonObject => ({ ...current, spec: { replicas: 7, paused: false } });
    expect(session.editObject(scaled)).toEqual({ kind: 'applied' });
    expect(text.object()).toMatchObject({ spec: { replicas: 7 } });
    expect(held.edited).toHaveBeenCalledWith('spec.replicas');
    expect(session.editObject(scaled)).toEqual({ kind: 'unchanged' });

    text.readOnly = true;
    expect(session.editObject((current) => ({ ...current, spec: { replicas: 1, paused: false } }))).toEqual({ kind: 'read-only' });
    text.readOnly = false;
    text.type('replicas: 7', 'replicas: [7');
    expect(session.editObject(scaled)).toMatchObject({ kind: 'unparseable', problem: expect.stringMatching(/^The YAML does not parse/) });
  });
});

describe(saveSession.name, () => {
  function answering(answer: () => Promise<unknown>): Pick<TandemClient, 'request'> {
    return { request: vi.fn(answer) as unknown as TandemClient['request'] };
  }
  const refusal = (error: ProtocolError) => () => Promise.reject(requestError('resource:save', error));

  it('saves, gives the leases back and moves the base to the saved version', async () => {
    const { text, held, session } = open();
    text.type('replicas: 2', 'replicas: 3');
    const object = deployment('12', 3);
    await saveSession(answering(() => Promise.resolve({ resourceVersion: '12', object, dryRun: false, changes: [] })), ref, session, false);
    expect(held.releaseAll).toHaveBeenCalled();
    expect(session.getSnapshot()).toMatchObject({ saving: false, ownLeases: [], outcome: { kind: 'saved', message: 'Saved as rv 12.' }, baseResourceVersion: '12' });
  });

  it('rebases onto the current version from a stale refusal and says who changed it', async () => {
    const { text, session } = open();
    text.type('app: web', 'app: shop');
    const stale = failWith('stale', 'changed upstream', { current: deployment('13', 4), resourceVersion: '13', upstream: [{ path: 'spec.replicas', op: 'replace', before: 2, after: 4 }], changedBy: 'alice' });
    await saveSession(answering(refusal(stale.error)), ref, session, false);
    expect(session.getSnapshot()).toMatchObject({ saving: false, baseResourceVersion: '13', outcome: { kind: 'rebased' } });
    expect(session.getSnapshot().outcome?.message).toBe('Not saved: alice changed the object meanwhile (now rv 13). Your edits were rebased onto it; review and save again.');
    expect(text.object()).toMatchObject({ metadata: { labels: { app: 'shop' } }, spec: { replicas: 4 } });
  });

  it('shows other refusals, and a stale answer of the wrong shape, as an error without the request name', async () => {
    const { text, session } = open();
    text.type('replicas: 2', 'replicas: 3');
    await saveSession(answering(refusal(failWith('rejected', 'admission webhook "policy" denied the request', { code: 422, reason: 'Invalid' }).error)), ref, session, false);
    expect(session.getSnapshot().outcome).toEqual({ kind: 'error', message: 'admission webhook "policy" denied the request' });

    await saveSession(answering(refusal({ code: 'stale', message: 'changed upstream', details: { resourceVersion: '13' } })), ref, session, false);
    expect(session.getSnapshot()).toMatchObject({ saving: false, baseResourceVersion: '10', outcome: { kind: 'error', message: expect.stringMatching(/^the gateway's "stale" answer does not follow the protocol/) } });
  });
});
