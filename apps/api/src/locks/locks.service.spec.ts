import { randomUUID } from 'node:crypto';
import type { Lease, LockChanged, ResourceRef } from '@tandem/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';
import { LocksService } from './locks.service.js';

const configMap: ResourceRef = { context: 'tandem-sandbox', group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: 'web-config' };

describe(LocksService.name, () => {
  let gateway: InProcessGateway;

  beforeAll(async () => {
    // With Redis every grant waits for a reply, so timers can fire between grants, as in production.
    gateway = await startInProcessGateway({
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      TANDEM_REDIS_PREFIX: `tandem-locks-spec-${randomUUID().slice(0, 8)}`,
      // One socket asks for 300 leases at once here, far past a person's pace (request-limits.spec tests the limits).
      TANDEM_LIMIT_REQUESTS_PER_SECOND: '1000',
      TANDEM_LIMIT_LEASES_PER_MINUTE: '1000',
      TANDEM_QUOTA_LEASES_PER_RESOURCE: '1000',
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('tells the room of every grant of a crowd asked at once, each in one delta written after its own ack', async () => {
    const [alice, bob] = [await gateway.connect('alice'), await gateway.connect('bob')];
    await alice.request('resource:join', { ref: configMap });
    await bob.request('resource:join', { ref: configMap });
    // Both sockets are the gateway's; alice's socket also hears the deltas, in order with her acks.
    const order: string[] = [];
    const heard: LockChanged[] = [];
    const aliceHeard: LockChanged[] = [];
    alice.on('lock:changed', (event) => {
      aliceHeard.push(event);
      order.push(`delta of ${event.acquired.length}`);
    });
    bob.on('lock:changed', (event) => heard.push(event));

    // Answering 300 takes the gateway longer than the 10 ms after which a lone change goes out. The
    // raw socket's ack callbacks run as each packet arrives, so `order` is the order on the wire.
    const paths = Array.from({ length: 300 }, (_, i) => `metadata.annotations.crowd${i}`);
    const granted = await Promise.all(
      paths.map(
        (path) =>
          new Promise<Lease>((resolve, reject) => {
            alice.socket.emit('lock:acquire', { ref: configMap, path }, (ack) => {
              order.push(ack.ok ? `ack ${ack.lease.token}` : 'ack refused');
              if (ack.ok) resolve(ack.lease);
              else reject(new Error(`${ack.error.code}: ${ack.error.message}`));
            });
          }),
      ),
    );
    const grantsIn = (events: readonly LockChanged[]): number => events.reduce((sum, event) => sum + event.acquired.length, 0);
    // The bound only ends a hung test: expect.poll's default second is a speed expectation.
    await expect.poll(() => grantsIn(heard), { timeout: 15_000 }).toBe(paths.length);
    await expect.poll(() => grantsIn(aliceHeard), { timeout: 15_000 }).toBe(paths.length);

    // Each grant is announced exactly once. How many deltas carry the crowd depends on how fast the
    // machine answers (the bench measures that); that no delta overtakes the ack of a grant it carries does not.
    const announced = heard.flatMap((event) => event.acquired.map((lease) => lease.token));
    expect(announced).toHaveLength(paths.length);
    expect(new Set(announced)).toEqual(new Set(granted.map((lease) => lease.token)));
    const acked = new Set<number>();
    const ackedBefore: boolean[] = [];
    let delta = 0;
    for (const entry of order) {
      if (entry.startsWith('ack ')) acked.add(Number(entry.slice(4)));
      else {
        const event = aliceHeard[delta++];
        ackedBefore.push((event?.acquired ?? []).every((lease) => acked.has(lease.token)));
      }
    }
    expect(ackedBefore.every(Boolean)).toBe(true);
  });
});
