import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot, waitForEditorText } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { eventually } from '../support/wait.js';

const run = promisify(execFile);
const webRef: ResourceRef = { context: 'tandem-sandbox', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

interface Entry {
  readonly id: string;
  readonly actor: string;
  readonly outcome: string;
  readonly changes: { path: string }[];
}

const withMetadata = (object: JsonObject, key: 'labels' | 'annotations', name: string, value: string): JsonObject => {
  const metadata = object['metadata'] as JsonObject;
  return { ...object, metadata: { ...metadata, [key]: { ...((metadata[key] as JsonObject | undefined) ?? {}), [name]: value } } };
};

describe('the edit history in the browser', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let kubectlHome: string;
  const clients: TandemClient[] = [];

  const history = (query: string, user: string): Promise<Response> => fetch(`${gateway.url}/api/history${query}`, { headers: { 'X-Tandem-User': user } });
  const connect = async (user: string): Promise<TandemClient> => {
    const client = new TandemClient({ url: gateway.url, user, reconnection: false });
    clients.push(client);
    await client.connected();
    return client;
  };
  const kubectl = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
    const { stdout } = await run('/usr/bin/kubectl', ['--kubeconfig', join(gateway.home, 'sandbox.kubeconfig'), '--cache-dir', join(kubectlHome, 'cache'), '-n', 'shop', ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: kubectlHome, ...env },
    });
    return stdout;
  };

  /**
   * Polls the object's history as admin until it holds at least `count` entries. On timeout it
   * returns what it last read, so the caller's assertion shows which entries are missing.
   */
  async function webHistory(count: number): Promise<Entry[]> {
    let entries: Entry[] = [];
    await eventually(
      async () => {
        const response = await history('?context=tandem-sandbox&resource=deployments&namespace=shop&name=web&limit=100', 'admin');
        expect(response.status).toBe(200);
        entries = ((await response.json()) as { entries: Entry[] }).entries;
        return entries.length >= count;
      },
      `the history of web holds ${count} entries`,
      15_000,
    ).catch(() => undefined);
    return entries;
  }

  beforeAll(async () => {
    [gateway, browser, kubectlHome] = await Promise.all([startGateway({ env: { TANDEM_ADMINS: 'admin' } }), launchBrowser(), mkdtemp(join(tmpdir(), 'tandem-e2e-history-'))]);
    // Alice annotates, bob's save from the old version is blocked as stale, bob saves again, kubectl edits the image.
    const alice = await connect('alice');
    const bob = await connect('bob');
    const base = await alice.request('resource:join', { ref: webRef });
    const bobBase = await bob.request('resource:join', { ref: webRef });
    const aliceSave = await alice.request('resource:save', { ref: webRef, baseResourceVersion: base.resourceVersion, object: withMetadata(base.object, 'annotations', 'owner', 'alice') });
    const stale = await bob.requestAck('resource:save', { ref: webRef, baseResourceVersion: bobBase.resourceVersion, object: withMetadata(bobBase.object, 'labels', 'reviewed-by', 'bob') });
    expect(stale).toMatchObject({ ok: false, error: { code: 'stale' } });
    await bob.request('resource:save', { ref: webRef, baseResourceVersion: aliceSave.resourceVersion, object: withMetadata(aliceSave.object, 'labels', 'reviewed-by', 'bob') });
    const editor = join(kubectlHome, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s#image: nginx:1.27#image: nginx:1.28#" "$1"\n');
    await chmod(editor, 0o755);
    await kubectl(['edit', 'deploy/web'], { KUBE_EDITOR: editor });
    expect((await webHistory(4)).map((e) => `${e.actor}:${e.outcome}`)).toEqual(['kubectl-edit:observed', 'bob:applied', 'bob:blocked-stale', 'alice:applied']);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await browser?.close();
    await gateway?.stop();
    if (kubectlHome) await rm(kubectlHome, { recursive: true, force: true });
  });

  it("shows an admin the timeline, filtered to bob's entries, with each entry's changed fields", async () => {
    const { page, errors } = await openPage(browser, `${gateway.url}/?user=admin`);
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-entry').first().waitFor({ timeout: 15_000 });
    expect(await actors(page)).toEqual(['kubectl-edit', 'bob', 'bob', 'alice']);

    await page.getByTestId('history-filter-user').fill('bob');
    await page.getByTestId('history-filter-apply').click();
    await page.waitForFunction(() => {
      const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): { getAttribute(n: string): string | null }[] } };
      const rows = [...document.querySelectorAll('[data-testid="history-entry"]')];
      return rows.length > 0 && rows.every((row) => row.getAttribute('data-actor') === 'bob');
    });
    expect(await actors(page)).toEqual(['bob', 'bob']);
    expect(await page.getByTestId('history-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-outcome')))).toEqual(['applied', 'blocked-stale']);

    const applied = page.locator('[data-testid="history-entry"][data-outcome="applied"]');
    await applied.getByTestId('history-entry-toggle').click();
    const change = applied.locator('[data-testid="history-diff"] [data-testid="history-change"]');
    expect(await change.getAttribute('data-path')).toBe('metadata.labels.reviewed-by');
    expect(await change.innerText()).toContain('added: bob');
    await screenshot(page, 'history');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("restores alice's annotation removal through the editor's guarded save", async () => {
    const { page, errors } = await openPage(browser, `${gateway.url}/?user=admin`);
    await page.getByTestId('nav-history').click();
    const aliceEntry = page.locator('[data-testid="history-entry"][data-actor="alice"]');
    await aliceEntry.getByTestId('history-open').click();
    await waitForEditorText(page, 'owner: alice');
    const editor = page.locator('[data-testid="editor-panel"][data-active="true"]');
    await editor.getByTestId('history-panel-toggle').click();
    await editor.locator('[data-testid="history-panel"] [data-testid="history-entry"][data-actor="alice"] [data-testid="history-restore"]').click();
    await editor.locator('[data-testid="history-restore-notice"][data-kind="done"]').waitFor();
    await page.waitForFunction(() => {
      const { document } = globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } };
      return !(document.querySelector('[data-testid="editor-panel"][data-active="true"] .view-lines')?.textContent ?? '').includes('owner: alice');
    });
    // Nothing is written until the user confirms the diff of the normal save.
    expect(JSON.parse(await kubectl(['get', 'deploy', 'web', '-o', 'json'])).metadata.annotations.owner).toBe('alice');
    await editor.getByTestId('save-button').click();
    expect(await page.getByTestId('save-diff').innerText()).toContain('owner');
    await page.getByTestId('save-confirm-button').click();
    await editor.locator('[data-testid="save-notice"][data-kind="saved"]').waitFor({ timeout: 15_000 });
    const web = JSON.parse(await kubectl(['get', 'deploy', 'web', '-o', 'json'])) as { metadata: { annotations?: Record<string, string>; labels: Record<string, string> } };
    expect(web.metadata.annotations?.['owner']).toBeUndefined();
    expect(web.metadata.labels['reviewed-by']).toBe('bob');
    expect((await webHistory(5))[0]).toMatchObject({ actor: 'admin', outcome: 'applied', changes: [{ path: 'metadata.annotations.owner' }] });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('gives a user who is not an admin no history link, and the API answers 403', async () => {
    const { page } = await openPage(browser, `${gateway.url}/?user=carol#history`);
    await page.getByTestId('history-forbidden').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('history-forbidden').innerText()).toContain('Only admins can see the edit history');
    await page.getByTestId('nav-browse').waitFor();
    expect(await page.getByTestId('nav-history').count()).toBe(0);
    expect(await page.getByTestId('history-entry').count()).toBe(0);
    expect((await history('?limit=1', 'carol')).status).toBe(403);
    await page.context().close();
  });
});

function actors(page: Page): Promise<(string | null)[]> {
  return page.getByTestId('history-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-actor')));
}
