import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, launchBrowser, openPage, screenshot, waitForEditorText } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { createKubectlHome, kubectlOk } from '../support/kubectl.js';

describe('browsing and opening a resource in the browser', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let kubectlHome: string;

  beforeAll(async () => {
    [gateway, browser, kubectlHome] = await Promise.all([startGateway(), launchBrowser(), createKubectlHome()]);
    ({ page, errors } = await openPage(browser, `${gateway.url}/?user=alice`));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    if (kubectlHome) await rm(kubectlHome, { recursive: true, force: true });
  });

  it('shows alice as connected', async () => {
    await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('current-user').innerText()).toBe('alice');
    expect(await page.getByTestId('context-tandem-sandbox').getAttribute('data-status')).not.toBeNull();
  });

  it('opens deployment web from namespace shop in an editable Monaco editor', async () => {
    await page.getByTestId('namespace-shop').click();
    await page.getByTestId('kind-apps-v1-deployments').click();
    await page.getByTestId('resource-web').click();

    await waitForEditorText(page, 'name: web');
    const text = await editorText(page);
    expect(text).toContain('kind: Deployment');
    expect(text).toContain('name: web');
    expect(text).toContain('namespace: shop');
    expect(await page.getByTestId('base-resource-version').innerText()).toMatch(/^rv \S+$/);

    await page.getByTestId('monaco-host').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('# reviewed by alice');
    await waitForEditorText(page, '# reviewed by alice');
    expect(await editorText(page)).toContain('# reviewed by alice');
  });

  it('announces a change made with kubectl while the object is open, keeping the unsaved text', async () => {
    const kubeconfig = join(gateway.home, 'sandbox.kubeconfig');
    await kubectlOk(['-n', 'shop', 'annotate', 'deploy', 'web', 'x=y'], { kubeconfig, home: kubectlHome });

    const banner = page.getByTestId('upstream-banner');
    await banner.waitFor({ timeout: 10_000 });
    const message = await banner.innerText();
    expect(message).toMatch(/kubectl\S* changed metadata\.annotations\.x \(rv \S+\)/);
    expect(await editorText(page)).toContain('# reviewed by alice');
    await screenshot(page, 'browse-upstream-banner');
    expect(errors).toEqual([]);
  });
});
