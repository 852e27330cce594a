import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, launchBrowser, openPage, screenshot, waitForEditorText } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

const EMPTY_KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n';

describe('an open resource whose context is removed from the kubeconfig', () => {
  let dir: string;
  let kubeconfig: string;
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-e2e-removed-'));
    kubeconfig = join(dir, 'config');
    sandbox = await startSandbox();
    await writeFile(kubeconfig, sandbox.kubeconfig({ context: 'lab' }));
    [gateway, browser] = await Promise.all([startGateway({ env: { KUBECONFIG: kubeconfig, TANDEM_SANDBOX: 'off' } }), launchBrowser()]);
    ({ page } = await openPage(browser, `${gateway.url}/?user=carol`));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('turns the editor read-only and keeps the unsaved text for copying', async () => {
    await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('context-lab').waitFor();
    await page.getByTestId('namespace-shop').click();
    await page.getByTestId('kind-apps-v1-deployments').click();
    await page.getByTestId('resource-web').click();
    await waitForEditorText(page, 'name: web');
    await page.getByTestId('monaco-host').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# keep this note');
    await waitForEditorText(page, '# keep this note');

    await writeFile(kubeconfig, EMPTY_KUBECONFIG);
    const banner = page.getByTestId('editor-readonly-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toContain('lab was removed');
    expect(await page.getByTestId('editor-panel').getAttribute('data-readonly')).toBe('true');
    expect(await page.getByTestId('save-button').isDisabled()).toBe(true);

    await page.getByTestId('monaco-host').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('more');
    const text = await editorText(page);
    expect(text).toContain('# keep this note');
    expect(text).not.toContain('more');
    expect(await page.getByTestId('edit-refused').innerText()).toContain('context was removed');
    await screenshot(page, 'context-removed-readonly');
  });
});
