import { describe, expect, it } from 'vitest';
import { requestError, TandemProtocolError, TandemRequestError } from './client.js';
import { ERROR_CODES, type ProtocolError } from './protocol.js';
import { ErrorDetailsSchemas, failWith, parseFailure, type Failure, type StaleDetails } from './error-details.js';

const holder = {
  ref: { context: 'sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' },
  path: 'spec.replicas',
  owner: 'alice',
  sessionId: 's-1',
  token: 7,
  expiresAt: 1_700_000_000_000,
};

const stale: StaleDetails = {
  current: { metadata: { name: 'web', resourceVersion: '12' }, spec: { replicas: 3 } },
  resourceVersion: '12',
  upstream: [{ path: 'spec.replicas', op: 'replace', before: 2, after: 3 }],
  changedBy: 'alice',
};

/** A failed ack as it arrives: JSON, so optional fields that were undefined are gone. */
function overTheWire(ack: ReturnType<typeof failWith>): ProtocolError {
  return (JSON.parse(JSON.stringify(ack)) as { error: ProtocolError }).error;
}

describe('error details', () => {
  it('has a schema for every error code', () => {
    expect(Object.keys(ErrorDetailsSchemas).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('round-trips what the gateway builds with failWith for each code that carries details', () => {
    const acks = [
      failWith('stale', 'changed upstream', stale),
      failWith('stale', 'unknown base', { ...stale, upstream: [], changedBy: undefined }),
      failWith('locked', 'spec.replicas is being edited by alice', { path: 'spec.replicas', holder }),
      failWith('locked', 'spec.replicas is being edited by alice', { holder }),
      failWith('forbidden', 'the lease belongs to alice', { holder }),
      failWith('forbidden', 'RBAC says no', { code: 403, reason: 'Forbidden' }),
      failWith('forbidden', 'no access to that list'),
      failWith('rejected', 'admission webhook denied', { code: 422, reason: 'Invalid' }),
      failWith('rate-limited', 'slow down', { limit: 300, retryAfterMs: 120 }),
      failWith('rate-limited', 'leave one first', { limit: 20 }),
      failWith('too-large', 'too big', { bytes: 2_000_000, limit: 1_048_576 }),
      failWith('too-large', 'too big', { limit: 1_048_576 }),
      failWith('invalid', 'only status changed', { statusOnly: true }),
      failWith('invalid', 'not the same object'),
      failWith('not-joined', 'join first'),
    ];
    for (const ack of acks) {
      const parsed = parseFailure(overTheWire(ack));
      expect(parsed, ack.error.message).toMatchObject({ ok: true, failure: { code: ack.error.code, message: ack.error.message } });
    }
  });

  it('gives the caller typed details after a switch on the code', () => {
    const parsed = parseFailure(overTheWire(failWith('stale', 'changed upstream', stale)));
    if (!parsed.ok) throw new Error(parsed.problem.problem);
    const failure: Failure = parsed.failure;
    expect(failure.code).toBe('stale');
    if (failure.code !== 'stale') return;
    expect(failure.details.current).toEqual(stale.current);
    expect(failure.details.changedBy).toBe('alice');
    expect(failure.details.upstream[0]?.path).toBe('spec.replicas');
  });

  it('reports details that do not match their code as a problem naming the field, without throwing', () => {
    const parsed = parseFailure({ code: 'stale', message: 'changed upstream', details: { current: 'not an object', resourceVersion: '12', upstream: [] } });
    expect(parsed).toMatchObject({ ok: false, problem: { code: 'stale', problem: expect.stringContaining('details.current') } });
    expect(parseFailure({ code: 'locked', message: 'held', details: { holder: { owner: 'alice' } } })).toMatchObject({ ok: false });
    expect(parseFailure({ code: 'internal', message: 'boom', details: { stack: 'x' } })).toMatchObject({ ok: false, problem: { problem: expect.stringContaining('details') } });
  });

  it('reports a code the protocol does not know', () => {
    const unknown = { code: 'teapot', message: 'short and stout' } as unknown as ProtocolError;
    expect(parseFailure(unknown)).toMatchObject({ ok: false, problem: { code: 'teapot', problem: 'unknown error code "teapot"' } });
  });
});

describe(requestError.name, () => {
  it('turns a failed ack with matching details into a TandemRequestError carrying the typed failure', () => {
    const error = requestError('lock:acquire', overTheWire(failWith('locked', 'spec.replicas is being edited by alice', { holder })));
    expect(error).toBeInstanceOf(TandemRequestError);
    if (!(error instanceof TandemRequestError) || error.failure.code !== 'locked') throw new Error('expected a locked failure');
    expect(error.failure.details.holder.owner).toBe('alice');
    expect(error.code).toBe('locked');
    expect(error.message).toBe('lock:acquire: spec.replicas is being edited by alice');
  });

  it('turns a failed ack whose details do not match into a TandemProtocolError that says so', () => {
    const error = requestError('resource:save', { code: 'rate-limited', message: 'slow down', details: { retryAfterMs: 'soon' } });
    expect(error).toBeInstanceOf(TandemProtocolError);
    expect(error.message).toMatch(/^resource:save: the gateway's "rate-limited" answer does not follow the protocol \(details\.\w+: .+\): slow down$/);
  });
});
