/**
 * The editor under the gateway's Content-Security-Policy: Monaco, its workers and monaco-yaml load
 * and work (the YAML worker validates against the kind's schema) and the browser reports no
 * violation of the policy at all.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, waitForEditorText } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

interface Violation {
  readonly directive: string;
  readonly blocked: string;
  readonly source: string;
}

describe('the web app under its Content-Security-Policy', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  const consoleReports: string[] = [];
  let policy: string | null = null;

  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // Before any script of the page runs: every violation the document sees is kept.
    await context.addInitScript(() => {
      const scope = globalThis as unknown as {
        __violations: Violation[];
        document: { addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string; sourceFile: string }) => void): void };
      };
      scope.__violations = [];
      scope.document.addEventListener('securitypolicyviolation', (event) => scope.__violations.push({ directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile }));
    });
    page = await context.newPage();
    // Workers report their own violations to the console, not to the document.
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy|Refused to/i.test(message.text())) consoleReports.push(message.text());
    });
    const response = await page.goto(`${gateway.url}/?user=alice`);
    policy = (await response?.headerValue('content-security-policy')) ?? null;
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

  it('serves the page with a policy that allows only its own origin and forbids framing', () => {
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('runs Monaco and the YAML worker (validation from the schema) with no violation reported', async () => {
    const panel = page.locator('[data-testid="editor-panel"][data-active="true"]');
    const replicas = panel.locator('.view-line', { hasText: /replicas:\s\d+/ }).first();
    const original = /replicas: (\d+)/.exec((await replicas.innerText()).replace(/\u00a0/g, ' '))?.[1] ?? '';
    await replicas.click();
    await page.keyboard.press('End');
    for (const _ of original) await page.keyboard.press('Backspace');
    await page.keyboard.type('many');
    // Only the YAML worker, running monaco-yaml with the kind's schema, can find this problem.
    await panel.getByTestId('problem-count').filter({ hasText: '1 problem' }).waitFor({ timeout: 15_000 });

    const violations = await page.evaluate(() => (globalThis as unknown as { __violations: Violation[] }).__violations);
    expect(violations).toEqual([]);
    expect(consoleReports).toEqual([]);
  });
});
