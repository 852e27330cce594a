import { request as httpRequest } from 'node:http';
import type { ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGateway, type InProcessGateway } from '../test-support/in-process-gateway.js';
import { OriginPolicy } from './origin-policy.js';

const webRef: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

/** JSON text of an object nested `levels` deep, `{"a":{"a":...}}` (JSON.stringify would overflow the sender's stack first). */
const nestedJson = (levels: number): string => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);

let nextAckId = 1_000_000;

/**
 * Sends one socket.io event whose payload is the given JSON text, as a hostile client would write
 * it by hand, and resolves with the gateway's ack.
 */
function emitRaw(client: TandemClient, event: string, payloadJson: string): Promise<unknown> {
  const engine = client.socket.io.engine;
  const id = nextAckId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event} within 10 s`)), 10_000);
    const onPacket = (packet: { type: string; data?: unknown }): void => {
      if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith(`3${id}[`)) return;
      engine.off('packet', onPacket);
      clearTimeout(timer);
      resolve((JSON.parse(packet.data.slice(`3${id}`.length)) as unknown[])[0]);
    };
    engine.on('packet', onPacket);
    // An engine.io message carrying a socket.io EVENT packet (type 2) with an ack id.
    engine.send(`2${id}[${JSON.stringify(event)},${payloadJson}]`);
  });
}

/** A WebSocket handshake to socket.io with the given headers; resolves with the HTTP status (101: accepted) and body. */
function wsHandshake(base: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/socket.io/?EIO=4&transport=websocket`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with headers fetch() would not send as given (Host, Origin). */
function raw(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // host/port/path rather than a URL: a URL would have its dot segments resolved before sending.
    const { hostname, port } = new URL(base);
    const req = httpRequest({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('OriginPolicy', () => {
  const local = new OriginPolicy({ allowedOrigins: [], local: true });

  it('lets a page of the gateway itself in, and a program that sends no Origin', () => {
    expect(local.problem({ host: 'localhost:4280', origin: 'http://localhost:4280' })).toBeUndefined();
    expect(local.problem({ host: '127.0.0.1:4280' })).toBeUndefined();
    expect(local.problem({ host: '[::1]:4280', origin: 'http://[::1]:4280' })).toBeUndefined();
  });

  it('refuses a page of another site, and the opaque origin of a sandboxed frame or file', () => {
    expect(local.problem({ host: 'localhost:4280', origin: 'https://evil.example' })).toMatch(/Origin "https:\/\/evil.example" is not allowed/);
    expect(local.problem({ host: 'localhost:4280', origin: 'http://localhost:4281' })).toMatch(/not allowed/);
    expect(local.problem({ host: 'localhost:4280', origin: 'null' })).toMatch(/not allowed/);
  });

  it('in local mode refuses a Host that is not loopback (a DNS-rebinding page), even from its own origin', () => {
    expect(local.problem({ host: 'rebind.evil.example:4280', origin: 'http://rebind.evil.example:4280' })).toMatch(/Host "rebind.evil.example:4280" is not allowed/);
    expect(local.problem({})).toMatch(/Host "" is not allowed/);
  });

  it('with TANDEM_ALLOWED_ORIGINS accepts exactly those origins, and their hosts', () => {
    const listed = new OriginPolicy({ allowedOrigins: ['https://tandem.example.com'], local: true });
    expect(listed.problem({ host: 'tandem.example.com', origin: 'https://tandem.example.com' })).toBeUndefined();
    expect(listed.problem({ host: 'localhost:4280', origin: 'http://localhost:4280' })).toMatch(/TANDEM_ALLOWED_ORIGINS/);
  });

  it('off loopback checks origins but not hosts', () => {
    const exposed = new OriginPolicy({ allowedOrigins: [], local: false });
    expect(exposed.problem({ host: 'tandem.internal:4280', origin: 'http://tandem.internal:4280' })).toBeUndefined();
    expect(exposed.problem({ host: 'tandem.internal:4280', origin: 'http://other.internal' })).toMatch(/not allowed/);
  });
});

describe('a gateway hardened against hostile input', () => {
  let gateway: InProcessGateway;
  let port: string;

  beforeAll(async () => {
    gateway = await startInProcessGateway();
    port = new URL(gateway.base).port;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers a save nested 5,000 levels deep with a too-large ack, and keeps serving the same socket', async () => {
    const alice = await gateway.connect('alice');
    const ack = await emitRaw(alice, 'resource:save', `{"ref":${JSON.stringify(webRef)},"baseResourceVersion":"1","object":${nestedJson(5_000)}}`);
    expect(ack).toMatchObject({ ok: false, error: { code: 'too-large', message: expect.stringContaining('nested more than') } });
    const joined = await alice.request('resource:join', { ref: webRef });
    expect(joined.object).toMatchObject({ metadata: { name: 'web' } });
    expect((await fetch(`${gateway.base}/healthz`)).status).toBe(200);
  });

  it('answers a request whose payload is missing, a string of 100 KB, or binary, with bad-request or too-large', async () => {
    const alice = await gateway.connect('alice');
    const emit = (event: string, ...args: unknown[]): Promise<unknown> => alice.socket.timeout(5_000).emitWithAck(event as 'resource:join', ...(args as [never]));
    expect(await emit('resource:join')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await emit('presence:summary', { context: 'x'.repeat(100_000) })).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(await emit('presence:summary', { context: new Uint8Array([1, 2, 3]) })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('context is not a JSON value') } });
    expect(await emit('no:such-event', {})).toMatchObject({ ok: false, error: { code: 'unknown-event' } });
  });

  it('refuses "..", "." and a name with "/" in REST paths with 400, as the socket schemas do', async () => {
    for (const name of ['%2e%2e', '%2E%2E', '.', '%2e', 'a%2Fb']) {
      // Sent as written: fetch() would resolve the dot segments itself.
      const response = await raw(gateway.base, `/api/contexts/tandem-sandbox/resources/core/v1/secrets/${name}?namespace=shop`);
      expect(response.status, `${name}: ${response.body}`).toBe(400);
      expect(response.body).not.toContain('"kind":"Namespace"');
    }
    expect((await fetch(`${gateway.base}/api/contexts/tandem-sandbox/resources/apps/v1/deployments/web?namespace=shop`)).status).toBe(200);
  });

  it('refuses a socket.io handshake from a foreign Origin, and accepts one from its own or from a program without Origin', async () => {
    // engine.io answers every refused upgrade with 400 and the reason as its body.
    expect(await wsHandshake(gateway.base, { Origin: 'https://evil.example' })).toEqual({ status: 400, body: expect.stringContaining('Origin "https://evil.example" is not allowed') });
    expect((await wsHandshake(gateway.base, { Origin: 'null' })).status).toBe(400);
    expect((await wsHandshake(gateway.base, { Origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await wsHandshake(gateway.base, {})).status).toBe(101);
  });

  it('refuses a foreign Host (DNS rebinding) on REST and on the socket handshake', async () => {
    const rest = await raw(gateway.base, '/api/contexts', { headers: { Host: `rebind.evil.example:${port}` } });
    expect(rest.status).toBe(403);
    expect(rest.body).toContain('is not allowed');
    const handshake = await raw(gateway.base, '/socket.io/?EIO=4&transport=polling', { headers: { Host: `rebind.evil.example:${port}` } });
    expect(handshake.status).toBe(403);
    const loopback = await raw(gateway.base, '/api/contexts', { headers: { Host: `localhost:${port}` } });
    expect(loopback.status).toBe(200);
  });

  it('refuses a state-changing request from a foreign page with 403 before any route runs', async () => {
    const foreign = await raw(gateway.base, '/api/contexts', { method: 'POST', headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' }, body: '{}' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: 403, message: expect.stringContaining('https://evil.example') } });
  });

  it('refuses a REST body nested too deep with 413, without parsing it into a route', async () => {
    const body = '['.repeat(10_000) + ']'.repeat(10_000);
    const answer = await raw(gateway.base, '/api/contexts', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('nested more than');
    expect((await fetch(`${gateway.base}/healthz`)).status).toBe(200);
  });

  it('sends security headers: a CSP that forbids framing, nosniff, no referrer', async () => {
    for (const path of ['/', '/api/contexts', '/healthz']) {
      const response = await fetch(`${gateway.base}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});
