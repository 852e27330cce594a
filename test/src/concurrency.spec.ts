import { describe, expect, it } from 'vitest';
import { parseKubeStatus, type KubeStatus } from './support/kube-status.js';
import { kubeObjectSchema, kubeRequest, openWatch, resourceVersionOf, resourceVersionOrder } from './support/kube-http.js';
import { TARGETS, withCluster } from './support/cluster.js';

const WRITERS = 20;
const ROUNDS = 10;
// Bounds a livelock, not speed: with 20 writers a key needs at most a few dozen attempts.
const MAX_ATTEMPTS_PER_KEY = 1_000;

const namespace = 'default';
const name = 'ledger';
const collectionPath = `/api/v1/namespaces/${namespace}/configmaps`;
const objectPath = `${collectionPath}/${name}`;

interface AcceptedWrite {
  key: string;
  baseVersion: string;
  version: string;
}

interface RejectedWrite {
  baseVersion: string;
  httpStatus: number;
  status: KubeStatus | undefined;
  body: unknown;
}

function dataOf(object: unknown): Record<string, string> {
  const parsed = kubeObjectSchema.parse(object);
  const data = parsed['data'];
  if (data === undefined) return {};
  if (typeof data !== 'object' || data === null) throw new Error(`ConfigMap data is not an object: ${JSON.stringify(data)}`);
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
}

function statusOrUndefined(body: unknown): KubeStatus | undefined {
  try {
    return parseKubeStatus(body);
  } catch {
    return undefined;
  }
}

describe.each(TARGETS)('optimistic concurrency on one ConfigMap under many concurrent writers (%s)', (target) => {
  const cluster = withCluster(target);

  // Thousands of requests on a shared two-core machine: the budget bounds a hang, it is not a speed check.
  it('accepts only writes based on the current version, orders them, and loses none', { timeout: 240_000 }, async () => {
    const endpoint = cluster();
    const created = await kubeRequest(endpoint, 'POST', collectionPath, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
      data: {},
    });
    expect(created.status).toBe(201);
    const createdVersion = resourceVersionOf(created.body);

    // The watch records the order in which the server committed the writes.
    const watch = await openWatch(endpoint, collectionPath, { resourceVersion: createdVersion });

    const accepted: AcceptedWrite[] = [];
    const conflictsWhileRacing: RejectedWrite[] = [];
    const deliberatelyStale: RejectedWrite[] = [];
    const unexpected: RejectedWrite[] = [];

    const put = (object: unknown) => kubeRequest(endpoint, 'PUT', objectPath, object);

    // Makes createdVersion provably stale before any writer uses it as its stale base.
    const opening = await put({ ...kubeObjectSchema.parse(created.body), data: { opened: 'yes' } });
    expect(opening.status).toBe(200);
    accepted.push({ key: 'opened', baseVersion: createdVersion, version: resourceVersionOf(opening.body) });

    const writer = async (writerId: number): Promise<void> => {
      // A version this writer has seen superseded by an acknowledged write, so it is certainly stale.
      let supersededVersion = createdVersion;
      for (let round = 0; round < ROUNDS; round += 1) {
        const staleCopy = {
          ...kubeObjectSchema.parse(created.body),
          metadata: { name, namespace, resourceVersion: supersededVersion },
          data: { [`stale-w${writerId}-r${round}`]: 'must never be stored' },
        };
        const stale = await put(staleCopy);
        const staleRecord = { baseVersion: supersededVersion, httpStatus: stale.status, status: statusOrUndefined(stale.body), body: stale.body };
        deliberatelyStale.push(staleRecord);

        const key = `w${writerId}-r${round}`;
        let done = false;
        for (let attempt = 0; !done; attempt += 1) {
          if (attempt >= MAX_ATTEMPTS_PER_KEY) throw new Error(`Writer ${writerId} could not store ${key} in ${MAX_ATTEMPTS_PER_KEY} attempts`);
          const current = await kubeRequest(endpoint, 'GET', objectPath);
          expect(current.status).toBe(200);
          const baseVersion = resourceVersionOf(current.body);
          const written = await put({ ...kubeObjectSchema.parse(current.body), data: { ...dataOf(current.body), [key]: `${writerId}:${round}` } });
          if (written.status === 200) {
            accepted.push({ key, baseVersion, version: resourceVersionOf(written.body) });
            supersededVersion = baseVersion;
            done = true;
          } else {
            const record = { baseVersion, httpStatus: written.status, status: statusOrUndefined(written.body), body: written.body };
            if (written.status === 409) {
              conflictsWhileRacing.push(record);
            } else {
              unexpected.push(record);
              done = true;
            }
          }
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: WRITERS }, (_, writerId) => writer(writerId)));

      const final = await kubeRequest(endpoint, 'GET', objectPath);
      expect(final.status).toBe(200);
      const finalVersion = resourceVersionOf(final.body);
      await watch.waitFor((event) => resourceVersionOf(event.object) === finalVersion, `the final version ${finalVersion}`);

      // Nothing but the two kinds of rejection a client can act on.
      expect(unexpected).toEqual([]);

      // Every deliberately stale write was refused with a Conflict Status naming the object.
      expect(deliberatelyStale).toHaveLength(WRITERS * ROUNDS);
      for (const rejection of deliberatelyStale) {
        expect(rejection.httpStatus, JSON.stringify(rejection.body)).toBe(409);
        expect(rejection.status).toMatchObject({ code: 409, reason: 'Conflict', details: { name, kind: 'configmaps' } });
        expect(rejection.status?.message).toContain('the object has been modified');
      }
      // The writers really raced: fresh copies were overtaken and refused, then retried.
      expect(conflictsWhileRacing.length).toBeGreaterThan(0);
      for (const rejection of conflictsWhileRacing) {
        expect(rejection.status).toMatchObject({ code: 409, reason: 'Conflict' });
      }

      // Each acknowledged write got its own version, above the version it was based on.
      expect(accepted).toHaveLength(WRITERS * ROUNDS + 1);
      expect(new Set(accepted.map((write) => write.version)).size).toBe(accepted.length);
      for (const write of accepted) {
        expect(resourceVersionOrder(write.version) > resourceVersionOrder(write.baseVersion), JSON.stringify(write)).toBe(true);
      }

      // In the order the server committed them, each write was based on the one just before it,
      // so no write from a stale copy slipped in and versions only go up.
      const committed = watch.events
        .filter((event) => kubeObjectSchema.parse(event.object).metadata.name === name)
        .map((event) => ({ type: event.type, version: resourceVersionOf(event.object) }));
      expect(committed.every((event) => event.type === 'MODIFIED')).toBe(true);
      expect(committed.map((event) => event.version)).toEqual(expect.arrayContaining(accepted.map((write) => write.version)));
      expect(committed).toHaveLength(accepted.length);
      const acceptedByVersion = new Map(accepted.map((write) => [write.version, write]));
      let previousVersion = createdVersion;
      for (const event of committed) {
        expect(resourceVersionOrder(event.version) > resourceVersionOrder(previousVersion)).toBe(true);
        expect(acceptedByVersion.get(event.version)?.baseVersion).toBe(previousVersion);
        previousVersion = event.version;
      }
      expect(previousVersion).toBe(finalVersion);

      // No acknowledged write was lost, and nothing unacknowledged was stored.
      const finalKeys = Object.keys(dataOf(final.body)).sort();
      expect(finalKeys).toEqual(accepted.map((write) => write.key).sort());
      expect(finalKeys.filter((key) => key.startsWith('stale-'))).toEqual([]);
    } finally {
      watch.close();
    }
  });
});
