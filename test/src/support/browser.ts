import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { workspaceRoot } from './gateway.js';

/** Debian's chromium (the CI script installs it); override with TANDEM_CHROMIUM. */
export const chromiumPath = process.env['TANDEM_CHROMIUM'] ?? '/usr/bin/chromium';

/** Where browser tests write screenshots (gitignored). */
export const artifactsDir = join(workspaceRoot, 'test-artifacts');

/** Headless chromium with everything that would reach the network on its own switched off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export interface OpenedPage {
  readonly page: Page;
  /** Uncaught errors and console errors the page produced, for failure messages. */
  readonly errors: string[];
}

/** A fresh browser context (own sessionStorage) with the page at `url`, collecting page errors. */
export async function openPage(browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${new URL(response.url()).pathname}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** Saves a full-page screenshot under test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const ACTIVE_EDITOR_LINES = '[data-testid="editor-panel"][data-active="true"] .view-lines';

/** The text Monaco renders in the visible editor tab (its non-breaking spaces as plain spaces). */
export async function editorText(page: Page): Promise<string> {
  const text = await page.locator(ACTIVE_EDITOR_LINES).innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** Waits until the visible editor shows `expected` (Monaco renders asynchronously). */
export async function waitForEditorText(page: Page, expected: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ({ selector, wanted }) => {
      // Runs in the page; the test project is typed for Node, so name the one DOM call it needs.
      const { document } = globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } };
      const lines = document.querySelector(selector);
      return lines !== null && (lines.textContent ?? '').replace(/\u00a0/g, ' ').includes(wanted);
    },
    { selector: ACTIVE_EDITOR_LINES, wanted: expected },
    { timeout },
  );
}

/** Opens deployment shop/web from the resource browser and waits for its text. */
export async function openShopWeb(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('namespace-shop').click();
  await page.getByTestId('kind-apps-v1-deployments').click();
  await page.getByTestId('resource-web').click();
  await waitForEditorText(page, 'name: web');
}

/** The visible editor tab. */
export function panel(page: Page): Locator {
  return page.locator('[data-testid="editor-panel"][data-active="true"]');
}

/** Puts the cursor at the end of the first editor line containing `text`, as a click and End would. */
export async function cursorAtEndOf(page: Page, text: string): Promise<void> {
  await panel(page).locator('.view-line', { hasText: text }).first().click();
  await page.keyboard.press('End');
}

/** Opens the confirm step, checks the diff is there, and confirms; resolves with the save notice once acknowledged. */
export async function saveWithConfirm(page: Page): Promise<string> {
  await page.getByTestId('save-button').click();
  await page.getByTestId('save-diff').waitFor();
  await page.getByTestId('save-confirm-button').click();
  const notice = panel(page).getByTestId('save-notice');
  await notice.waitFor({ timeout: 15_000 });
  return notice.innerText();
}
