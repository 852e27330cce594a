import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { eventually } from '../support/wait.js';

const OBJECTS = 200;
/** The sandbox's controller writes the status of every Deployment in `shop` this often. */
const CHURN_MS = 500;
/** The request the browser makes to read the list of Deployments in `shop`. */
const LIST_PATH = '/api/contexts/lab/resources/apps/v1/deployments';

function deployment(index: number): Record<string, unknown> {
  const labels = { app: 'load' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `load-${String(index).padStart(3, '0')}`, namespace: 'shop', labels },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  };
}

describe('a watched list of 200 objects whose status churns every 500 ms', () => {
  let dir: string;
  let sandbox: Sandbox;
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let listReads = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-e2e-list-'));
    const kubeconfig = join(dir, 'config');
    // Each tick writes every Deployment once: keep enough watch history that the gateway never has to relist.
    sandbox = await startSandbox({ churnMs: CHURN_MS, historyLimit: 50_000 });
    for (let index = 0; index < OBJECTS; index++) {
      const created = await fetch(`${sandbox.url}/apis/apps/v1/namespaces/shop/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(deployment(index)),
      });
      expect(created.status).toBe(201);
    }
    await writeFile(kubeconfig, sandbox.kubeconfig({ context: 'lab' }));
    [gateway, browser] = await Promise.all([startGateway({ env: { KUBECONFIG: kubeconfig, TANDEM_SANDBOX: 'off' } }), launchBrowser()]);
    ({ page, errors } = await openPage(browser, `${gateway.url}/?user=dana`));
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === LIST_PATH) listReads += 1;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await sandbox?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('merges the watch deltas into the shown list instead of reading the list again', async () => {
    await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('context-lab').waitFor();
    await page.getByTestId('namespace-shop').click();
    await page.getByTestId('kind-apps-v1-deployments').click();
    const rows = page.locator('[data-testid="resource-list"] > li');
    const last = rows.filter({ has: page.getByTestId(`resource-load-${OBJECTS - 1}`) });
    await last.waitFor({ timeout: 30_000 });
    expect(await rows.count()).toBeGreaterThanOrEqual(OBJECTS);

    // The resourceVersions the row has shown, in order: each churn tick that reaches the page adds one.
    const shown: string[] = [];
    const rowShowsVersions = (count: number): Promise<true> =>
      eventually(async () => {
        const resourceVersion = await last.getAttribute('data-resource-version');
        if (resourceVersion !== null && resourceVersion !== shown.at(-1)) shown.push(resourceVersion);
        return shown.length >= count || undefined;
      }, `load-${OBJECTS - 1} shown at ${count} resourceVersions`);

    // Two ticks have reached the row, so the watch runs and the list's reads so far are done: the
    // first one, and the one made once the watch started unless the first was still on its way.
    await rowShowsVersions(3);
    const initialReads = listReads;
    expect(initialReads).toBeGreaterThanOrEqual(1);

    // Three more ticks, several hundred changes of the list, and no more reads of it.
    await rowShowsVersions(6);
    expect(listReads).toBe(initialReads);
    expect(errors).toEqual([]);
  });
});
