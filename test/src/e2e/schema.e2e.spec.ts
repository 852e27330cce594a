import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, launchBrowser, openPage, screenshot, waitForEditorText } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

function panel(page: Page): Locator {
  return page.locator('[data-testid="editor-panel"][data-active="true"]');
}

/** The editor line whose whole text is `text` (Monaco renders spaces as non-breaking ones). */
function line(page: Page, text: string): Locator {
  return panel(page)
    .locator('.view-line')
    .filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \\u00a0]')}$`) })
    .first();
}

describe("validation and completion from the kind's schema in the editor", () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
    ({ page, errors } = await openPage(browser, `${gateway.url}/?user=alice`));
    await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('namespace-shop').click();
    await page.getByTestId('kind-apps-v1-deployments').click();
    await page.getByTestId('resource-web').click();
    await waitForEditorText(page, 'name: web');
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('marks `replicas: many` as not an integer, though the YAML parses, and clears the mark once it is a number again', async () => {
    const replicas = panel(page).locator('.view-line', { hasText: /replicas:\s\d+/ }).first();
    const original = /replicas: (\d+)/.exec((await replicas.innerText()).replace(/\u00a0/g, ' '))?.[1] ?? '';
    expect(original).toMatch(/^\d+$/);
    expect(await panel(page).getByTestId('problem-count').innerText()).toBe('No problems');

    await replicas.click();
    await page.keyboard.press('End');
    for (const _ of original) await page.keyboard.press('Backspace');
    await page.keyboard.type('many');
    await waitForEditorText(page, 'replicas: many');

    const problems = panel(page).getByTestId('problem-count');
    await problems.filter({ hasText: '1 problem' }).waitFor({ timeout: 15_000 });
    // The YAML parses: Save is enabled, with no reason shown against it.
    expect(await panel(page).getByTestId('save-button').isEnabled()).toBe(true);
    expect(await panel(page).getByTestId('save-disabled-reason').count()).toBe(0);

    // The problem, as the user reads it: go to it (F8) and Monaco shows its message and source.
    await page.keyboard.press('F8');
    const marker = panel(page).locator('.marker-widget');
    await marker.waitFor({ timeout: 5_000 });
    const message = (await marker.innerText()).replace(/\u00a0/g, ' ');
    expect(message).toMatch(/Incorrect type\. Expected "integer"/);
    // monaco-yaml names the schema by its title, the kind's OpenAPI component.
    expect(message).toContain('yaml-schema: io.k8s.api.apps.v1.Deployment');
    await screenshot(page, 'schema-validation');
    await page.keyboard.press('Escape');

    await panel(page).locator('.view-line', { hasText: /replicas:\smany/ }).first().click();
    await page.keyboard.press('End');
    for (const _ of 'many') await page.keyboard.press('Backspace');
    await page.keyboard.type(original);
    await waitForEditorText(page, `replicas: ${original}`);
    await problems.filter({ hasText: 'No problems' }).waitFor({ timeout: 15_000 });
  });

  it('offers the fields of DeploymentSpec on a new line under spec:, and completes one', async () => {
    const spec = line(page, 'spec:');
    await spec.click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    // Monaco keeps the indentation of the line before; a field of spec sits two spaces in.
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('  ');
    await page.keyboard.press('Control+Space');

    const suggestions = panel(page).locator('.suggest-widget.visible .monaco-list-row');
    await suggestions.first().waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } };
        return Array.from(document.querySelectorAll('.suggest-widget.visible .monaco-list-row .label-name')).some((label) => label.textContent === 'minReadySeconds');
      },
      undefined,
      { timeout: 15_000 },
    );
    const offered = await suggestions.locator('.label-name').allInnerTexts();
    expect(offered).toContain('minReadySeconds');
    expect(offered).toContain('paused');
    // Only fields of DeploymentSpec that the object lacks: not its own, not those of the top level.
    expect(offered).not.toContain('replicas');
    expect(offered).not.toContain('apiVersion');
    await screenshot(page, 'schema-completion');

    await page.keyboard.type('minR');
    await suggestions.filter({ hasText: 'minReadySeconds' }).first().waitFor();
    await page.keyboard.press('Enter');
    await waitForEditorText(page, 'minReadySeconds:');
    expect(await editorText(page)).toMatch(/\n {2}minReadySeconds: ?/);
    expect(errors).toEqual([]);
  });
});
