/**
 * Secret values never reach the store in clear: not from `kubectl apply` (which copies the whole
 * object, values included, into the last-applied-configuration annotation), not from a Tandem save,
 * not from a dry run.
 */
import { rm } from 'node:fs/promises';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARDENING_CONTEXT, HardeningSetup } from './support/hardening-setup.js';
import { createKubectlHome, kubectlOk } from './support/kubectl.js';
import { waitUntil } from './support/wait.js';

const secretRef: ResourceRef = { context: HARDENING_CONTEXT, group: '', version: 'v1', resource: 'secrets', namespace: 'shop', name: 'payments-db' };

const secretYaml = (password: string, token: string): string =>
  ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: payments-db', '  namespace: shop', 'type: Opaque', 'stringData:', `  password: ${password}`, `  token: ${token}`, ''].join('\n');

/** Every spelling in which a value could be stored: as typed, base64 (what `data` holds), and inside JSON text. */
const spellings = (value: string): string[] => [value, Buffer.from(value).toString('base64'), JSON.stringify(value).slice(1, -1)];

describe('Secret values in the edit history', () => {
  let setup: HardeningSetup;
  let kubectlHome: string;
  let alice: TandemClient;

  /** Everything stored under the gateway's prefix, once `condition` holds for it. */
  async function storeTextWhen(condition: (text: string) => boolean, description: string): Promise<string> {
    let text = await setup.storeText();
    let checking = false;
    await waitUntil(() => {
      if (!checking) {
        checking = true;
        void setup.storeText().then((latest) => {
          text = latest;
          checking = false;
        });
      }
      return condition(text);
    }, description);
    return text;
  }

  beforeAll(async () => {
    setup = await HardeningSetup.start();
    kubectlHome = await createKubectlHome();
    alice = new TandemClient({ url: setup.gateway.url, user: 'alice', reconnection: false });
    await alice.connected();
  });

  afterAll(async () => {
    alice?.close();
    await setup?.close();
    if (kubectlHome !== undefined) await rm(kubectlHome, { recursive: true, force: true });
  });

  it('after kubectl apply of a Secret twice with different values, and a save and a dry run in Tandem, no value appears anywhere in Redis', async () => {
    const options = { kubeconfig: setup.kubeconfig, home: kubectlHome };
    // The gateway records what it watches: a resource browser on the namespace's Secrets.
    await alice.request('list:watch', { list: { context: HARDENING_CONTEXT, group: '', version: 'v1', resource: 'secrets', namespace: 'shop' } });

    const first = { password: 'first-Pa55word-4711', token: 'first-token-0c9f1e' };
    const second = { password: 'second-Pa55word-0815', token: 'second-token-7d2b4a' };
    await kubectlOk(['apply', '-f', '-'], { ...options, input: secretYaml(first.password, first.token) });
    await kubectlOk(['apply', '-f', '-'], { ...options, input: secretYaml(second.password, second.token) });
    const applied = JSON.parse(await kubectlOk(['get', 'secret', 'payments-db', '-n', 'shop', '-o', 'json'], options)) as JsonObject;
    const annotations = (applied['metadata'] as { annotations?: Record<string, string> }).annotations ?? {};
    // The premise: kubectl did copy the values into the annotation.
    expect(annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain(second.password);

    // The outside update is in the history, its changes hashed.
    let text = await storeTextWhen((stored) => stored.includes('"action":"update"'), 'the gateway recorded the second apply');
    expect(text).toContain('kubectl.kubernetes.io/last-applied-configuration');
    expect(text).toContain('"redacted":true');

    // A save through Tandem and a dry run, with a third value each.
    const joined = await alice.request('resource:join', { ref: secretRef });
    const third = 'third-Pa55word-1234';
    const fourth = 'dry-run-Pa55word-9876';
    const withPassword = (value: string): JsonObject => ({ ...joined.object, data: { ...(joined.object['data'] as JsonObject), password: Buffer.from(value).toString('base64') } });
    await alice.request('resource:save', { ref: secretRef, baseResourceVersion: joined.resourceVersion, object: withPassword(fourth), dryRun: true });
    await alice.request('resource:save', { ref: secretRef, baseResourceVersion: joined.resourceVersion, object: withPassword(third) });
    text = await storeTextWhen((stored) => stored.includes('"outcome":"applied"') && stored.includes('"outcome":"dry-run"'), 'the gateway recorded the save and the dry run');

    for (const value of [first.password, first.token, second.password, second.token, third, fourth]) {
      for (const spelling of spellings(value)) expect(text, `"${spelling}" is stored in clear`).not.toContain(spelling);
    }
  });
});
