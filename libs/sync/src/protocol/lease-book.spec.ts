import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlaps } from '../field-path.js';
import { LeaseBook } from './lease-book.js';
import type { Lease, LockChanged } from './protocol.js';

const ref = { context: 'dev', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

function lease(token: number, path = `metadata.labels.l${token}`, owner = 'bob'): Lease {
  return { ref, path, owner, sessionId: `session-${owner}`, token, expiresAt: 1_000_000 };
}

const granted = (...leases: Lease[]): LockChanged => ({ ref, acquired: leases.map(({ ref: _ref, ...grant }) => grant), released: [] });
const ended = (...leases: Lease[]): LockChanged => ({ ref, acquired: [], released: leases.map(({ path, token }) => ({ path, token })) });
const tokens = (book: LeaseBook): number[] => book.leases().map((held) => held.token).sort((a, b) => a - b);

describe('LeaseBook', () => {
  it('follows grants and ends after the join snapshot', () => {
    const book = new LeaseBook();
    book.snapshot([lease(1), lease(2)]);
    book.apply(granted(lease(3)));
    book.apply(ended(lease(1)));
    expect(tokens(book)).toEqual([2, 3]);
  });

  it('keeps a grant heard before the join ack that the snapshot was read too early to contain', () => {
    const book = new LeaseBook();
    book.apply(granted(lease(7)));
    book.snapshot([lease(5)]);
    expect(tokens(book)).toEqual([5, 7]);
  });

  it('does not bring back a lease whose end was heard before the snapshot that still lists it', () => {
    const book = new LeaseBook();
    book.apply(ended(lease(5)));
    book.snapshot([lease(5), lease(6)]);
    expect(tokens(book)).toEqual([6]);
  });

  it('ignores a grant announced after its own end (a delta overtaken by another gateway)', () => {
    const book = new LeaseBook();
    book.snapshot([]);
    book.apply(ended(lease(9)));
    book.apply(granted(lease(9)));
    expect(book.leases()).toEqual([]);
  });

  it('treats a token granted and ended in one delta as ended', () => {
    const book = new LeaseBook();
    book.snapshot([]);
    book.apply({ ref, acquired: granted(lease(4)).acquired, released: [{ path: lease(4).path, token: 4 }] });
    expect(book.leases()).toEqual([]);
  });

  it('a re-acquire by the holder (same token) replaces the lease instead of adding one', () => {
    const book = new LeaseBook();
    book.snapshot([lease(3)]);
    book.apply(granted({ ...lease(3), expiresAt: 2_000_000 }));
    expect(book.leases()).toEqual([{ ...lease(3), expiresAt: 2_000_000 }]);
  });

  it('starts over after clear: leases that ended while disconnected are gone with the next snapshot', () => {
    const book = new LeaseBook();
    book.snapshot([lease(1), lease(2)]);
    book.clear();
    book.snapshot([lease(2)]);
    expect(tokens(book)).toEqual([2]);
  });

  it('takes a newer grant on an overlapping field of another session as the end of the older lease', () => {
    const book = new LeaseBook();
    book.snapshot([lease(1, 'spec.template', 'alice'), lease(2, 'metadata.labels.app', 'alice')]);
    // bob's grant (relayed by his gateway) overtook the end of alice's lease (from hers).
    book.apply(granted(lease(3, 'spec.template.spec.containers[name=web].image', 'bob')));
    expect(book.leases().map((held) => [held.owner, held.token])).toEqual([
      ['alice', 2],
      ['bob', 3],
    ]);
    book.apply(ended(lease(1, 'spec.template', 'alice')));
    book.apply(granted(lease(1, 'spec.template', 'alice')));
    expect(tokens(book)).toEqual([2, 3]);
    // Overlapping leases of one session are allowed.
    book.apply(granted(lease(4, 'spec.template.spec', 'bob')));
    expect(tokens(book)).toEqual([2, 3, 4]);
  });

  it('ignores an older grant on a field another session holds under a newer token', () => {
    const book = new LeaseBook();
    book.snapshot([lease(8, 'spec.replicas', 'bob')]);
    book.apply(granted(lease(6, 'spec', 'alice')));
    expect(book.leases().map((held) => [held.owner, held.token])).toEqual([['bob', 8]]);
  });

  it('lists leases by path', () => {
    const book = new LeaseBook();
    book.snapshot([lease(1, 'spec.replicas'), lease(2, 'metadata.labels.app')]);
    expect(book.leases().map((held) => held.path)).toEqual(['metadata.labels.app', 'spec.replicas']);
  });

  // Each user is on their own gateway, which announces its leases in order; the client hears the
  // two streams merged in any order. Its snapshot may be read at any point of the history after it
  // joined the room, and the ack may arrive at any point of what it hears.
  it('agrees with the store in every interleaving of snapshot and deltas from two gateways', () => {
    // Grants follow the store's rule: no overlapping fields for two sessions at once.
    const paths = ['spec', 'spec.replicas', 'spec.template', 'metadata.labels.app', 'metadata.labels'];
    const owners = ['alice', 'bob'];
    type Step = { kind: 'grant'; lease: Lease } | { kind: 'end'; lease: Lease };
    const history = fc
      .array(fc.tuple(fc.boolean(), fc.nat(paths.length - 1), fc.nat(owners.length - 1), fc.nat()), { minLength: 1, maxLength: 30 })
      .map((choices) => {
        const steps: Step[] = [];
        const held: Lease[] = [];
        let next = 1;
        for (const [grant, pathIndex, ownerIndex, pick] of choices) {
          const candidate = lease(next, paths[pathIndex], owners[ownerIndex]);
          const blocked = held.some((live) => live.owner !== candidate.owner && (live.path === candidate.path || live.path.startsWith(`${candidate.path}.`) || candidate.path.startsWith(`${live.path}.`)));
          if (grant && !blocked) {
            held.push(candidate);
            steps.push({ kind: 'grant', lease: candidate });
            next++;
          } else if (held.length > 0) {
            const [gone] = held.splice(pick % held.length, 1);
            if (gone !== undefined) steps.push({ kind: 'end', lease: gone });
          }
        }
        return steps;
      });
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), fc.nat(), fc.array(fc.boolean(), { maxLength: 60 }), (steps, joinAt, readAt, ackAt, merge) => {
        // The socket joins the room after `join` steps; the snapshot is read after `read` >= join
        // steps; the ack arrives after the client has heard `ack` >= join deltas.
        const join = joinAt % (steps.length + 1);
        const read = join + (readAt % (steps.length - join + 1));
        const ack = ackAt % (steps.length - join + 1);
        const fromGateway = (owner: string) => steps.slice(join).filter((step) => step.lease.owner === owner);
        const [east, west] = [fromGateway('alice'), fromGateway('bob')];
        const heardInOrder: Step[] = [];
        for (const eastFirst of merge) {
          const step = eastFirst ? east.shift() : west.shift();
          if (step !== undefined) heardInOrder.push(step);
        }
        heardInOrder.push(...east, ...west);
        const liveAfter = (count: number): Lease[] => {
          const live = new Map<number, Lease>();
          for (const step of steps.slice(0, count)) {
            if (step.kind === 'grant') live.set(step.lease.token, step.lease);
            else live.delete(step.lease.token);
          }
          return [...live.values()];
        };
        const book = new LeaseBook();
        const hear = (step: Step) => book.apply(step.kind === 'grant' ? granted(step.lease) : ended(step.lease));
        // What the user sees never shows two people holding overlapping fields.
        const neverTwoHolders = () => {
          const shown = book.leases();
          for (const a of shown) for (const b of shown) if (a.owner !== b.owner) expect(overlaps(a.path, b.path)).toBe(false);
        };
        heardInOrder.slice(0, ack).forEach(hear);
        book.snapshot(liveAfter(read));
        neverTwoHolders();
        for (const step of heardInOrder.slice(ack)) {
          hear(step);
          neverTwoHolders();
        }
        expect(tokens(book)).toEqual(liveAfter(steps.length).map((held) => held.token).sort((a, b) => a - b));
      }),
    );
  });
});
