import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

type Json = Record<string, unknown>;
interface WatchEvent {
  type: string;
  object: Json;
}

/** Reads a watch stream event by event. */
class WatchReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next event, or undefined when the server ended the stream. */
  async next(): Promise<WatchEvent | undefined> {
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        return JSON.parse(line) as WatchEvent;
      }
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async take(count: number): Promise<WatchEvent[]> {
    const events: WatchEvent[] = [];
    while (events.length < count) {
      const event = await this.next();
      if (!event) break;
      events.push(event);
    }
    return events;
  }

  /** Every remaining event until the server ends the stream. */
  async rest(): Promise<WatchEvent[]> {
    const events: WatchEvent[] = [];
    for (let event = await this.next(); event; event = await this.next()) events.push(event);
    return events;
  }

  async close(): Promise<void> {
    await this.reader.cancel();
  }
}

const CM = '/api/v1/namespaces/default/configmaps';
const sandboxes: Sandbox[] = [];

async function start(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ seed: false, ...options });
  sandboxes.push(sandbox);
  await send(sandbox, 'POST', '/api/v1/namespaces', { metadata: { name: 'default' } });
  return sandbox;
}

async function send(sandbox: Sandbox, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}) });
  return (await response.json()) as Json;
}

async function watch(sandbox: Sandbox, path: string): Promise<{ response: Response; events: WatchReader }> {
  const response = await fetch(`${sandbox.url}${path}`);
  if (!response.body) throw new Error(`watch ${path} has no body`);
  return { response, events: new WatchReader(response.body.getReader()) };
}

const nameOf = (event: WatchEvent | undefined): unknown => (event?.object['metadata'] as Json | undefined)?.['name'];
const rvOf = (object: Json): string => String((object['metadata'] as Json)['resourceVersion']);

afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

describe('watch', () => {
  it('starts with the current state, then streams changes; a DELETED event carries a new resourceVersion', async () => {
    const sandbox = await start();
    const created = await send(sandbox, 'POST', CM, { metadata: { name: 'one' }, data: { a: '1' } });
    const { response, events } = await watch(sandbox, `${CM}?watch=true&resourceVersion=0`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect((await events.next())?.type).toBe('ADDED');
    const modified = await send(sandbox, 'PATCH', `${CM}/one`, { data: { a: '2' } }, 'application/merge-patch+json');
    await send(sandbox, 'DELETE', `${CM}/one`);
    const [change, deletion] = await events.take(2);
    expect(change).toMatchObject({ type: 'MODIFIED', object: { data: { a: '2' } } });
    expect(deletion?.type).toBe('DELETED');
    const deletedVersion = rvOf(deletion?.object ?? {});
    expect(Number(deletedVersion)).toBeGreaterThan(Number(rvOf(modified)));
    expect(deletedVersion).not.toBe(rvOf(created));
    await events.close();
  });

  it('replays what happened after a given resourceVersion', async () => {
    const sandbox = await start();
    await send(sandbox, 'POST', CM, { metadata: { name: 'before' } });
    const listVersion = rvOf(await send(sandbox, 'GET', CM));
    await send(sandbox, 'POST', CM, { metadata: { name: 'after' } });
    await send(sandbox, 'PATCH', `${CM}/before`, { data: { x: 'y' } }, 'application/merge-patch+json');
    const { events } = await watch(sandbox, `/api/v1/watch/namespaces/default/configmaps?resourceVersion=${listVersion}`);
    const replayed = await events.take(2);
    expect(replayed.map((e) => [e.type, nameOf(e)])).toEqual([
      ['ADDED', 'after'],
      ['MODIFIED', 'before'],
    ]);
    await events.close();
  });

  it('answers a resume from a forgotten version with 410 Expired and ends the stream', async () => {
    const sandbox = await start();
    const created = await send(sandbox, 'POST', CM, { metadata: { name: 'old' } });
    await send(sandbox, 'PATCH', `${CM}/old`, { data: { x: 'y' } }, 'application/merge-patch+json');
    sandbox.trimHistory();
    const { events } = await watch(sandbox, `${CM}?watch=true&resourceVersion=${rvOf(created)}`);
    const all = await events.rest();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(String(all[0]?.object['message'])).toMatch(new RegExp(`^too old resource version: ${rvOf(created)} \\(\\d+\\)$`));
  });

  it('expires versions older than the kept history', async () => {
    const sandbox = await start({ historyLimit: 2 });
    const created = await send(sandbox, 'POST', CM, { metadata: { name: 'busy' } });
    for (const value of ['1', '2', '3']) await send(sandbox, 'PATCH', `${CM}/busy`, { data: { value } }, 'application/merge-patch+json');
    const { events } = await watch(sandbox, `${CM}?watch=true&resourceVersion=${rvOf(created)}`);
    expect((await events.rest())[0]?.object['code']).toBe(410);
  });

  it('reports an object leaving a label selector as DELETED and one entering it as ADDED', async () => {
    const sandbox = await start();
    await send(sandbox, 'POST', CM, { metadata: { name: 'mover', labels: { team: 'a' } } });
    const { events } = await watch(sandbox, `/api/v1/configmaps?watch=true&labelSelector=team%3Da`);
    expect((await events.next())?.type).toBe('ADDED');
    await send(sandbox, 'PATCH', `${CM}/mover`, { metadata: { labels: { team: 'b' } } }, 'application/merge-patch+json');
    await send(sandbox, 'POST', CM, { metadata: { name: 'other', labels: { team: 'b' } } });
    await send(sandbox, 'PATCH', `${CM}/mover`, { metadata: { labels: { team: 'a' } } }, 'application/merge-patch+json');
    expect((await events.take(2)).map((e) => [e.type, nameOf(e)])).toEqual([
      ['DELETED', 'mover'],
      ['ADDED', 'mover'],
    ]);
    await events.close();
  });

  it('sends bookmarks only to watchers that allow them', async () => {
    const sandbox = await start();
    await send(sandbox, 'POST', CM, { metadata: { name: 'marked' } });
    const allowed = await watch(sandbox, `${CM}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
    const withBookmarks = await allowed.events.rest();
    expect(withBookmarks.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(withBookmarks[1]?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
    const plain = await watch(sandbox, `${CM}?watch=true&sendInitialEvents=true&timeoutSeconds=1`);
    expect((await plain.events.rest()).map((e) => e.type)).toEqual(['ADDED']);
  });

  it('ends open watches when the sandbox closes, leaving nothing listening', async () => {
    const sandbox = await start();
    const { events } = await watch(sandbox, `${CM}?watch=true`);
    await sandbox.close();
    expect(await events.rest()).toEqual([]);
    await expect(fetch(`${sandbox.url}/healthz`)).rejects.toThrow();
  });
});
