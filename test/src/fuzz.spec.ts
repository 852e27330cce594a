/**
 * A protocol fuzzer against a real built gateway with Redis: messages generated from the request
 * schemas, then mutated as an attacker would (deep nesting, huge strings and arrays, wrong types,
 * `__proto__`/`constructor` keys, unknown events, frames without an ack, frames that are not
 * socket.io at all, binary attachments). Every message must get an ack or a clean disconnect, the
 * gateway must keep running and answering /healthz, and no refused message may change the cluster
 * object or the store.
 */
import { ERROR_CODES, REQUEST_NAMES, type RequestName } from '@tandem/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HardeningSetup, hardeningWebRef } from './support/hardening-setup.js';
import { RawSocket, type FrameOutcome } from './support/hardening-raw-socket.js';

/**
 * A piece of payload written as raw JSON text (nesting JSON.stringify would choke on, or sizes too
 * big to build as values), made when the frame is sent and shown by its recipe in failure reports.
 */
class RawText {
  constructor(
    readonly recipe: string,
    private readonly make: () => string,
  ) {}
  get text(): string {
    return this.make();
  }
  [fc.toStringMethod](): string {
    return `RawText(${this.recipe})`;
  }
}
type Node = string | number | boolean | null | RawText | Node[] | { [key: string]: Node };

/** JSON text of a generated payload (shallow by construction; deep parts are RawText already). */
function write(node: Node): string {
  if (node instanceof RawText) return node.text;
  if (Array.isArray(node)) return `[${node.map(write).join(',')}]`;
  if (typeof node === 'object' && node !== null) return `{${Object.keys(node).map((key) => `${JSON.stringify(key)}:${write(node[key] as Node)}`).join(',')}}`;
  return JSON.stringify(node);
}

const deepText = (levels: number, shape: 'object' | 'array'): RawText =>
  new RawText(`${shape} nested ${levels} deep`, () => (shape === 'object' ? '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) : '['.repeat(levels) + ']'.repeat(levels)));
const literal = (text: string): RawText => new RawText(text, () => text);

// ---------------------------------------------------------------------------------------
// Payloads from the schemas. Refs never name an object that exists unless the request needs a
// join first (so this socket never joins anything and every stateful request is refused).

const ghostRef = fc.record({
  context: fc.constantFrom('lab', 'nope', 'x'.repeat(253)),
  group: fc.constantFrom('apps', '', 'example.com'),
  version: fc.constantFrom('v1', 'v1beta1'),
  resource: fc.constantFrom('deployments', 'configmaps', 'secrets', 'pods'),
  namespace: fc.constantFrom('shop', 'default', 'kube-system'),
  name: fc.constantFrom('ghost', 'web-gone', 'no-such-thing'),
});
/** For requests that need a join first: the real object too. */
const anyRef = fc.oneof(ghostRef, fc.constant({ ...hardeningWebRef }));
const listRef = ghostRef.map(({ name: _name, ...list }) => list);
const fieldPath = fc.constantFrom('spec.replicas', 'metadata.labels.app', 'spec.template.spec.containers[name=web].image', 'data', 'metadata', 'a..b', '[', '');
const selection = fc.record({ startLine: fc.integer({ min: 1, max: 50 }), startColumn: fc.integer({ min: 1, max: 80 }), endLine: fc.integer({ min: 1, max: 50 }), endColumn: fc.integer({ min: 1, max: 80 }) });
const kubeObject = fc.record({
  apiVersion: fc.constantFrom('apps/v1', 'v1'),
  kind: fc.constantFrom('Deployment', 'ConfigMap'),
  metadata: fc.record({ name: fc.constantFrom('web', 'ghost'), namespace: fc.constantFrom('shop'), labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }) }),
  spec: fc.record({ replicas: fc.integer({ min: 0, max: 5 }) }),
});

const payloads: { readonly [E in RequestName]: fc.Arbitrary<Node> } = {
  'resource:join': fc.record({ ref: ghostRef }),
  'resource:leave': fc.record({ ref: anyRef }),
  'list:watch': fc.record({ list: listRef }),
  'list:unwatch': fc.record({ list: listRef }),
  'presence:update': fc.record({ ref: anyRef, field: fc.option(fieldPath) as fc.Arbitrary<Node>, selection: fc.option(selection) as fc.Arbitrary<Node>, idle: fc.boolean() }, { requiredKeys: ['ref'] }),
  'presence:summary': fc.record({ context: fc.constantFrom('lab', 'nope', 'tandem-sandbox') }),
  'lock:acquire': fc.record({ ref: anyRef, path: fieldPath }),
  'lock:renew': fc.record({ ref: anyRef, path: fieldPath, token: fc.integer({ min: 1, max: 1_000 }) }),
  'lock:release': fc.record({ ref: anyRef, path: fieldPath, token: fc.integer({ min: 1, max: 1_000 }) }),
  'resource:save': fc.record({ ref: anyRef, baseResourceVersion: fc.constantFrom('1', '99999', ''), object: kubeObject, dryRun: fc.boolean() }, { requiredKeys: ['ref', 'baseResourceVersion', 'object'] }),
};

// ---------------------------------------------------------------------------------------
// Mutations

type Mutation = (payload: Node) => fc.Arbitrary<{ payload: Node; label: string }>;

/** Replaces the value at a random place in the payload's top two levels (or the payload itself). */
function replaceSomewhere(payload: Node, replacement: fc.Arbitrary<Node>, label: string): fc.Arbitrary<{ payload: Node; label: string }> {
  const spots: (string[] | [])[] = [[]];
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload) && !(payload instanceof RawText)) {
    for (const key of Object.keys(payload)) {
      spots.push([key]);
      const inner = payload[key];
      if (typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof RawText)) for (const innerKey of Object.keys(inner)) spots.push([key, innerKey]);
    }
  }
  return fc.tuple(fc.constantFrom(...spots), replacement).map(([spot, value]) => {
    if (spot.length === 0) return { payload: value, label };
    const copy = { ...(payload as Record<string, Node>) };
    if (spot.length === 1) copy[spot[0] as string] = value;
    else copy[spot[0] as string] = { ...(copy[spot[0] as string] as Record<string, Node>), [spot[1] as string]: value };
    return { payload: copy, label };
  });
}

const wrongType: fc.Arbitrary<Node> = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }), fc.constant([] as Node[]), fc.constant({} as Node), fc.constant(literal('1e400')));

/** Keys with meaning to JavaScript, written as data (JSON.parse makes them own properties). */
const prototypeKeys: fc.Arbitrary<RawText> = fc.constantFrom(
  literal('{"__proto__":{"polluted":true}}'),
  literal('{"constructor":{"prototype":{"polluted":true}}}'),
  literal('{"__proto__":null,"toString":1,"hasOwnProperty":"x","valueOf":[]}'),
);

const mutations: readonly { readonly weight: number; readonly mutate: Mutation }[] = [
  { weight: 3, mutate: (payload) => fc.constant({ payload, label: 'as generated' }) },
  { weight: 3, mutate: (payload) => replaceSomewhere(payload, fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('object' as const, 'array' as const)).map(([levels, shape]) => deepText(levels, shape)), 'deep nesting') },
  { weight: 1, mutate: (payload) => replaceSomewhere(payload, fc.integer({ min: 10_000, max: 200_000 }).map((size) => new RawText(`string of ${size}`, () => JSON.stringify('x'.repeat(size)))), 'huge string') },
  { weight: 1, mutate: (payload) => replaceSomewhere(payload, fc.integer({ min: 1_000, max: 100_000 }).map((size) => new RawText(`array of ${size}`, () => `[${new Array<string>(size).fill('0').join(',')}]`)), 'huge array') },
  { weight: 4, mutate: (payload) => replaceSomewhere(payload, wrongType, 'wrong type') },
  { weight: 2, mutate: (payload) => replaceSomewhere(payload, prototypeKeys, 'prototype keys') },
  { weight: 1, mutate: (payload) => replaceSomewhere(payload, fc.constant(literal('{"unknown":1}')), 'unknown key') },
];

/** One frame to send. */
type Frame =
  | { readonly kind: 'event'; readonly event: string; readonly payload: Node | undefined; readonly ack: boolean; readonly label: string }
  | { readonly kind: 'binary'; readonly event: RequestName; readonly label: string }
  | { readonly kind: 'malformed'; readonly text: string; readonly label: string };

const requestFrame: fc.Arbitrary<Frame> = fc
  .constantFrom(...REQUEST_NAMES)
  .chain((request) =>
    payloads[request].chain((payload) =>
      fc.oneof(...mutations.map(({ weight, mutate }) => ({ weight, arbitrary: mutate(payload) }))).chain(({ payload: mutated, label }) =>
        fc.boolean().map((withoutAck): Frame => ({ kind: 'event', event: request, payload: mutated, ack: !withoutAck || label === 'deep nesting', label: withoutAck && label !== 'deep nesting' ? `${label}, no ack` : label })),
      ),
    ),
  );

const otherFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ event: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'resource:join ', 'RESOURCE:SAVE')), ack: fc.boolean() })
    // socket.io's own event names are not valid frames from a client (below).
    .filter(({ event }) => !['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].includes(event))
    .map(({ event, ack }): Frame => ({ kind: 'event', event, payload: {}, ack, label: 'unknown event' })),
  fc.constant<Frame>({ kind: 'event', event: 'resource:join', payload: undefined, ack: true, label: 'no payload' }),
  fc.constantFrom(...REQUEST_NAMES).map((event): Frame => ({ kind: 'binary', event, label: 'binary attachment' })),
  fc
    .constantFrom('2', '2["resource:join"', '21x["resource:join",{}]', '9', '2{"not":"an array"}', '2[1,2,3]', '51-["resource:join",{"_placeholder":true,"num":0}]', '2/nope,["resource:join",{}]', '', '27["disconnect"]', '2["connect",{}]', '28["disconnecting"]')
    .map((text): Frame => ({ kind: 'malformed', text, label: 'malformed frame' })),
);

const frame: fc.Arbitrary<Frame> = fc.oneof({ weight: 17, arbitrary: requestFrame }, { weight: 3, arbitrary: otherFrame });


// ---------------------------------------------------------------------------------------

const BATCHES = 40;
const BATCH_SIZE = 256;
const IN_FLIGHT = 16;

describe('the gateway under a protocol fuzzer', () => {
  let setup: HardeningSetup;

  beforeAll(async () => {
    // The fuzzer sends far faster than a person; the limits have their own tests (request-limits.spec).
    setup = await HardeningSetup.start({
      TANDEM_LIMIT_REQUESTS_PER_SECOND: '100000',
      TANDEM_LIMIT_JOINS_PER_MINUTE: '100000',
      TANDEM_LIMIT_PRESENCE_PER_SECOND: '100000',
      TANDEM_LIMIT_LEASES_PER_MINUTE: '100000',
      TANDEM_LIMIT_SAVES_PER_MINUTE: '100000',
      TANDEM_QUOTA_LIST_WATCHES_PER_SOCKET: '100000',
      TANDEM_QUOTA_CONTEXTS_PER_SOCKET: '100000',
    });
  });

  afterAll(async () => {
    await setup?.close();
  });

  it(`answers ${BATCHES * BATCH_SIZE} generated and mutated messages with acks or clean disconnects, and no refused message changes anything`, async () => {
    const objectPath = '/apis/apps/v1/namespaces/shop/deployments/web';
    const object = async (): Promise<unknown> => (await fetch(`${setup.sandbox.url}${objectPath}`)).json();
    const objectBefore = await object();
    const storeBefore = await setup.storeSnapshot();
    const perRequest = new Map<string, number>();
    const codes = new Set<string>();
    let sentTotal = 0;
    let disconnects = 0;
    const socket = await RawSocket.connect(setup.gateway.url, 'mallory');

    // A frame over the gateway's largest message (2 MiB) closes that connection, and only that one.
    const oversized = await RawSocket.connect(setup.gateway.url, 'mallory');
    expect(await oversized.send('resource:save', JSON.stringify({ padding: 'x'.repeat(3 * 1024 * 1024) }), { ack: true })).toMatchObject({ kind: 'disconnected' });

    const send = async (item: Frame): Promise<void> => {
      sentTotal++;
      const name = item.kind === 'malformed' ? 'malformed' : item.event;
      perRequest.set(name, (perRequest.get(name) ?? 0) + 1);
      if (item.kind === 'malformed') {
        // Not a valid request: socket.io closes that connection (and only that one), or ignores the
        // frame and the connection keeps answering. Either way the next request learns which.
        const victim = await RawSocket.connect(setup.gateway.url, 'mallory');
        await victim.sendMalformed(item.text);
        const next = await victim.send('presence:summary', JSON.stringify({ context: 'lab' }), { ack: true, timeoutMs: 10_000 });
        expect(next, `after the malformed frame ${JSON.stringify(item.text)}: neither closed nor answering`).toSatisfy(
          (outcome: FrameOutcome) => outcome.kind === 'disconnected' || (outcome.kind === 'ack' && (outcome.ack as { ok?: unknown }).ok === true),
        );
        if (next.kind === 'disconnected') disconnects++;
        victim.close();
        disconnects++;
        return;
      }
      const text = item.kind === 'event' && item.payload !== undefined ? write(item.payload) : undefined;
      const bytes = text?.length ?? 0;
      const outcome = item.kind === 'binary' ? await socket.sendBinary(item.event, { ref: { ...hardeningWebRef }, blob: Buffer.from('binary') }) : await socket.send(item.event, text, { ack: item.ack });
      const what = `${item.event} (${item.label}, ${bytes} bytes)`;
      expect(outcome.kind, `${what}: no ack within the timeout`).not.toBe('timeout');
      expect(outcome, `${what}: the gateway dropped the connection instead of answering`).not.toMatchObject({ kind: 'disconnected' });
      if (outcome.kind === 'ack') {
        const ack = outcome.ack as { ok?: unknown; error?: { code?: unknown } };
        expect(typeof ack.ok, `${what}: the ack is not { ok }`).toBe('boolean');
        if (ack.ok === false) {
          expect(ERROR_CODES, `${what}: unknown error code`).toContain(ack.error?.code);
          codes.add(String(ack.error?.code));
          expect(ack.error?.code, `${what}: a gateway bug answered it`).not.toBe('internal');
        }
      }
    };

    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }), async (batch) => {
        const queue = [...batch];
        await Promise.all(
          Array.from({ length: IN_FLIGHT }, async () => {
            for (let item = queue.shift(); item !== undefined; item = queue.shift()) await send(item);
          }),
        );
        // The socket that sent frames without acks still answers.
        const probe = await socket.send('presence:summary', JSON.stringify({ context: 'lab' }), { ack: true });
        expect(probe).toMatchObject({ kind: 'ack', ack: { ok: true } });
        expect(setup.gateway.process.exitCode, `the gateway exited:\n${setup.gateway.output()}`).toBeNull();
        expect(await setup.healthz()).toBe(200);
        expect(await object()).toEqual(objectBefore);
        expect(await setup.storeSnapshot()).toEqual(storeBefore);
      }),
      // A failure is reported as found (shrinking would replay thousands of heavy frames).
      // fast-check prints the seed of a failing run; TANDEM_FUZZ_SEED replays it.
      { numRuns: BATCHES, endOnFailure: true, ...(process.env['TANDEM_FUZZ_SEED'] !== undefined ? { seed: Number(process.env['TANDEM_FUZZ_SEED']) } : {}) },
    );
    socket.close();

    expect(sentTotal).toBeGreaterThanOrEqual(10_000);
    for (const request of REQUEST_NAMES) expect(perRequest.get(request) ?? 0, `${request} was fuzzed`).toBeGreaterThan(100);
    for (const code of ['bad-request', 'too-large', 'not-joined', 'unknown-event', 'not-found']) expect([...codes], `some message was refused with ${code}`).toContain(code);
    expect(disconnects).toBeGreaterThan(0);
    // Nothing escaped to the process-level backstop either.
    expect(setup.gateway.output()).not.toMatch(/unhandled promise rejection|uncaught exception/);
  }, 240_000);
});
