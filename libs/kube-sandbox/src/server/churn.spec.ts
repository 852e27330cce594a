import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';

type Json = Record<string, unknown>;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ churnMs: 50 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('simulated controller', () => {
  it('keeps changing the status of the demo Deployments, never their spec or generation', async () => {
    const path = '/apis/apps/v1/namespaces/shop/deployments/web';
    const before = (await (await fetch(`${sandbox.url}${path}`)).json()) as Json;
    const response = await fetch(`${sandbox.url}${path.replace('/web', '')}?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${String((before['metadata'] as Json)['resourceVersion'])}`);
    const reader = response.body?.getReader();
    let text = '';
    while (reader && text.split('\n').length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader?.cancel();
    const events = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { type: string; object: Json });
    expect(events.length).toBeGreaterThanOrEqual(2);
    const [first, second] = events;
    expect(first?.type).toBe('MODIFIED');
    expect(first?.object['spec']).toEqual(before['spec']);
    expect((first?.object['metadata'] as Json)['generation']).toBe((before['metadata'] as Json)['generation']);
    expect(first?.object['status']).not.toEqual(second?.object['status']);
  });
});
