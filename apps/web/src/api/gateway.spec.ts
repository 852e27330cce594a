import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, getJson } from './gateway.js';
import { parseObjectList } from './kube-objects.js';

describe(getJson.name, () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/deployments') {
        res.end(JSON.stringify([{ metadata: { name: 'web' } }, { metadata: { name: 'worker' } }]));
      } else if (req.url === '/forbidden') {
        res.statusCode = 403;
        res.end(JSON.stringify({ error: { code: 403, reason: 'Forbidden', message: 'deployments.apps is forbidden: User "ann" cannot list' } }));
      } else if (req.url === '/not-a-list') {
        res.end(JSON.stringify({ kind: 'Status' }));
      } else {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        res.end('boom');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('returns the checked list', async () => {
    const items = await getJson(`${base}/deployments`, parseObjectList);
    expect(items.map((item) => item.metadata.name)).toEqual(['web', 'worker']);
  });

  it('surfaces the gateway error message and status', async () => {
    const failure = getJson(`${base}/forbidden`, parseObjectList);
    await expect(failure).rejects.toBeInstanceOf(GatewayError);
    await expect(failure).rejects.toMatchObject({ status: 403, reason: 'Forbidden', message: 'deployments.apps is forbidden: User "ann" cannot list' });
  });

  it('explains a failure without an error body', async () => {
    await expect(getJson(`${base}/crash`, parseObjectList)).rejects.toThrow(`${base}/crash failed with HTTP 500`);
  });

  it('rejects a response that is not a list of objects', async () => {
    await expect(getJson(`${base}/not-a-list`, parseObjectList)).rejects.toThrow('not a list of Kubernetes objects');
  });

  it('says the gateway is down when nothing answers', async () => {
    await expect(getJson('http://127.0.0.1:1/x', parseObjectList)).rejects.toThrow('The Tandem gateway did not answer');
  });
});
