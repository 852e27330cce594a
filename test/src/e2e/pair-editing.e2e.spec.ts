import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorAtEndOf, editorText, launchBrowser, openPage, openShopWeb, panel, saveWithConfirm, screenshot, waitForEditorText } from '../support/browser.js';
import { TARGETS, startCluster, type TestCluster } from '../support/cluster.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { createKubectlHome, kubectlOk } from '../support/kubectl.js';

async function lineWith(page: Page, text: string): Promise<string> {
  return (await panel(page).locator('.view-line', { hasText: text }).first().innerText()).replace(/\u00a0/g, ' ');
}

describe.each(TARGETS)('two people editing one Deployment in the browser (%s)', (target) => {
  let cluster: TestCluster;
  let gateway: RunningGateway;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let errors: string[][];
  let kubectlHome: string;
  let originalReplicas: string;

  const kubectl = (...args: string[]): Promise<string> => kubectlOk(['-n', 'shop', ...args], { kubeconfig: join(kubectlHome, 'lab.kubeconfig'), home: kubectlHome });
  const clusterWeb = async (): Promise<{ metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number } }> =>
    JSON.parse(await kubectl('get', 'deploy', 'web', '-o', 'json')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { replicas: number } };

  beforeAll(async () => {
    [cluster, browser, kubectlHome] = await Promise.all([startCluster(target), launchBrowser(), createKubectlHome()]);
    await cluster.writeKubeconfig(join(kubectlHome, 'lab.kubeconfig'), { context: 'lab', namespace: 'shop' });
    // The gateway shows the cluster as its only context, so the page opens on it.
    gateway = await startGateway({ env: { KUBECONFIG: join(kubectlHome, 'lab.kubeconfig'), TANDEM_SANDBOX: 'off' } });
    const [a, b] = await Promise.all([openPage(browser, `${gateway.url}/?user=alice`), openPage(browser, `${gateway.url}/?user=bob`)]);
    alice = a.page;
    bob = b.page;
    errors = [a.errors, b.errors];
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await cluster?.close();
    if (kubectlHome) await rm(kubectlHome, { recursive: true, force: true });
  });

  it('shows alice and bob to each other once both open shop/web', async () => {
    await openShopWeb(alice);
    await openShopWeb(bob);
    // The requirement: once both have the resource open, each sees the other within 1 s.
    await panel(alice).locator('[data-testid="presence-avatar"][data-user="bob"]').waitFor({ timeout: 1_000 });
    await panel(bob).locator('[data-testid="presence-avatar"][data-user="alice"]').waitFor({ timeout: 1_000 });
    expect(await panel(alice).getByTestId('presence-avatar').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-user')))).toEqual(['alice', 'bob']);
    // The resource list shows who has web open, too.
    await alice.locator('[data-testid="resource-presence-web"] [data-user="bob"]').waitFor({ timeout: 5_000 });
    originalReplicas = /replicas: (\d+)/.exec(await lineWith(alice, 'replicas:'))?.[1] ?? '';
    expect(originalReplicas).toMatch(/^\d+$/);
  });

  it("locks spec.replicas for alice while bob types in it, and refuses alice's keystrokes there", async () => {
    await cursorAtEndOf(bob, 'replicas:');
    await bob.keyboard.press('Backspace');
    await bob.keyboard.type('4');
    await bob.getByTestId('own-leases').filter({ hasText: 'spec.replicas' }).waitFor();

    const lock = panel(alice).locator('[data-testid="lock-decoration"][data-path="spec.replicas"][data-user="bob"]');
    await lock.waitFor({ timeout: 5_000 });
    expect(await lock.innerText()).toContain('locked by bob');
    expect(await panel(alice).locator('.tandem-lock').count()).toBeGreaterThan(0);
    // Bob's cursor shows in alice's editor with his name.
    await panel(alice).locator('.tandem-label[data-user="bob"]').waitFor({ timeout: 5_000 });
    expect(await panel(alice).locator('[data-testid="presence-avatar"][data-user="bob"]').getAttribute('data-field')).toBe('spec.replicas');

    await cursorAtEndOf(alice, 'replicas:');
    await alice.keyboard.type('9');
    const refused = panel(alice).getByTestId('edit-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('spec.replicas is locked by bob');
    expect(await lineWith(alice, 'replicas:')).toContain(`replicas: ${originalReplicas}`);
    expect(await lineWith(alice, 'replicas:')).not.toContain('9');
    await screenshot(alice, 'pair-editing');
  });

  it("keeps bob's unsaved label through alice's saved annotation, then saves both into the cluster", async () => {
    await cursorAtEndOf(bob, 'tier: frontend');
    await bob.keyboard.press('Enter');
    await bob.keyboard.type('team: payments');
    await waitForEditorText(bob, 'team: payments');

    await cursorAtEndOf(alice, 'deployment.kubernetes.io/revision');
    await alice.keyboard.press('Enter');
    await alice.keyboard.type('owner: alice');
    await waitForEditorText(alice, 'owner: alice');
    await panel(alice).getByTestId('validate-button').click();
    await panel(alice).locator('[data-testid="save-notice"][data-kind="validated"]').waitFor({ timeout: 10_000 });
    expect(await saveWithConfirm(alice)).toMatch(/Saved as rv \S+/);

    // The live rebase brings alice's annotation into bob's text, beside his own unsaved edits.
    await waitForEditorText(bob, 'owner: alice');
    expect(await panel(bob).getByTestId('upstream-banner').innerText()).toMatch(/alice changed metadata\.annotations\.owner/);
    const bobText = await editorText(bob);
    expect(bobText).toContain('team: payments');
    expect(bobText).toContain('replicas: 4');
    await screenshot(bob, 'pair-editing-rebased');

    expect(await saveWithConfirm(bob)).toMatch(/Saved as rv \S+/);
    const web = await clusterWeb();
    expect(web.metadata.annotations['owner']).toBe('alice');
    expect(web.metadata.labels['team']).toBe('payments');
    expect(web.spec.replicas).toBe(4);
  });

  it('shows bob a conflict when kubectl changes the field he is editing, and saves only once he resolves it', async () => {
    await cursorAtEndOf(bob, 'replicas:');
    await bob.keyboard.press('Backspace');
    await bob.keyboard.type('5');
    await waitForEditorText(bob, 'replicas: 5');
    await kubectl('patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":7}}');

    const conflict = panel(bob).getByTestId('conflict-banner');
    await conflict.waitFor({ timeout: 10_000 });
    expect(await conflict.locator('[data-testid="conflict-field"]').getAttribute('data-path')).toBe('spec.replicas');
    const save = panel(bob).getByTestId('save-button');
    expect(await save.isDisabled()).toBe(true);
    expect(await save.getAttribute('title')).toBe('Resolve 1 conflict first');
    expect(await panel(bob).getByTestId('save-disabled-reason').innerText()).toBe('Resolve 1 conflict first');
    await screenshot(bob, 'pair-editing-conflict');

    await conflict.getByTestId('keep-mine').click();
    await conflict.getByTestId('apply-resolution').click();
    await conflict.waitFor({ state: 'detached' });
    expect(await lineWith(bob, 'replicas:')).toContain('replicas: 5');
    expect(await saveWithConfirm(bob)).toMatch(/Saved as rv \S+/);
    expect((await clusterWeb()).spec.replicas).toBe(5);
    expect(errors.flat().filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
