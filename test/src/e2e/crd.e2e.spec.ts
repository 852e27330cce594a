import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorAtEndOf, editorText, launchBrowser, openPage, panel, saveWithConfirm, screenshot, waitForEditorText } from '../support/browser.js';
import { TARGETS, startCluster, type Json, type TestCluster } from '../support/cluster.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { eventually } from '../support/wait.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const WIDGETS = '/apis/tandem.dev/v1/namespaces/shop/widgets';

const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.tandem.dev' },
  spec: {
    group: 'tandem.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  color: { type: 'string', enum: ['red', 'green', 'blue'] },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

/** Replaces the value after `key: ` on the first line holding `key: current` with `next`. */
async function retype(page: Page, key: string, current: string, next: string): Promise<void> {
  await cursorAtEndOf(page, `${key}: ${current}`);
  for (const _ of current) await page.keyboard.press('Backspace');
  await page.keyboard.type(next);
  await waitForEditorText(page, `${key}: ${next}`);
}

/** Opens shop/gadget, a Widget, from the resource browser and waits for its text. */
async function openGadget(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
  await page.getByTestId('namespace-shop').click();
  await page.getByTestId('kind-tandem.dev-v1-widgets').click();
  await page.getByTestId('resource-gadget').click();
  await waitForEditorText(page, 'name: gadget');
}

describe.each(TARGETS)('editing a custom resource in the browser (%s)', (target) => {
  let cluster: TestCluster;
  let gateway: RunningGateway;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let errors: string[][];
  let home: string;

  const gadget = async (): Promise<{ spec: { size: number; color: string } }> => (await cluster.api('GET', `${WIDGETS}/gadget`)) as unknown as { spec: { size: number; color: string } };

  beforeAll(async () => {
    [cluster, browser, home] = await Promise.all([startCluster(target), launchBrowser(), mkdtemp(join(tmpdir(), 'tandem-crd-'))]);
    await cluster.writeKubeconfig(join(home, 'lab.kubeconfig'), { context: 'lab', namespace: 'shop' });
    gateway = await startGateway({ env: { KUBECONFIG: join(home, 'lab.kubeconfig'), TANDEM_SANDBOX: 'off' } });
    const a = await openPage(browser, `${gateway.url}/?user=alice`);
    alice = a.page;
    // The gateway has discovered the cluster and read its OpenAPI before the CRD exists.
    await alice.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 15_000 });
    await alice.getByTestId('namespace-shop').click();
    const deploymentSchema = alice.waitForResponse((response) => response.url().endsWith('/schemas/apps/v1/Deployment') && response.ok());
    await alice.getByTestId('kind-apps-v1-deployments').click();
    await deploymentSchema;

    await cluster.api('POST', CRDS, WIDGET_CRD);
    await eventually(async () => {
      const crd = await cluster.api('GET', `${CRDS}/widgets.tandem.dev`);
      const conditions = ((crd['status'] as Json | undefined)?.['conditions'] as Json[] | undefined) ?? [];
      return conditions.some((c) => c['type'] === 'Established' && c['status'] === 'True');
    }, 'the CRD is established');
    await eventually(async () => (await cluster.request('GET', '/apis/tandem.dev/v1')).status === 200, 'the custom resources are served');
    // A real server publishes the CRD's OpenAPI a moment after serving it.
    await eventually(async () => {
      const root = (await cluster.api('GET', '/openapi/v3'))['paths'] as Record<string, unknown>;
      return 'apis/tandem.dev/v1' in root;
    }, "the CRD's schema is published");
    await cluster.api('POST', WIDGETS, { apiVersion: 'tandem.dev/v1', kind: 'Widget', metadata: { name: 'gadget' }, spec: { size: 2, color: 'red' } });

    // A page loaded afterwards finds the new kind and its schema through the same gateway.
    await alice.reload();
    const b = await openPage(browser, `${gateway.url}/?user=bob`);
    bob = b.page;
    errors = [a.errors, b.errors];
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await cluster?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('lists Widget among the kinds and opens shop/gadget for alice and bob, each seeing the other', async () => {
    await openGadget(alice);
    await openGadget(bob);
    await panel(bob).locator('[data-testid="presence-avatar"][data-user="alice"]').waitFor({ timeout: 5_000 });
    await panel(alice).locator('[data-testid="presence-avatar"][data-user="bob"]').waitFor({ timeout: 5_000 });
    await bob.locator('[data-testid="resource-presence-gadget"] [data-user="alice"]').waitFor({ timeout: 5_000 });
    const text = await editorText(alice);
    expect(text).toContain('apiVersion: tandem.dev/v1');
    expect(text).toContain('kind: Widget');
  });

  it("marks `size: many` against the CRD's schema, clears the mark once it is a number, and saves the number", async () => {
    const problems = panel(alice).getByTestId('problem-count');
    await problems.filter({ hasText: 'No problems' }).waitFor({ timeout: 15_000 });

    await retype(alice, 'size', '2', 'many');
    await problems.filter({ hasText: '1 problem' }).waitFor({ timeout: 15_000 });
    await alice.keyboard.press('F8');
    const marker = panel(alice).locator('.marker-widget');
    await marker.waitFor({ timeout: 5_000 });
    expect((await marker.innerText()).replace(/\u00a0/g, ' ')).toMatch(/Incorrect type\. Expected "integer"/);
    await screenshot(alice, `crd-schema-${target}`);
    await alice.keyboard.press('Escape');

    await retype(alice, 'size', 'many', '3');
    await problems.filter({ hasText: 'No problems' }).waitFor({ timeout: 15_000 });
    expect(await saveWithConfirm(alice)).toMatch(/Saved as rv \S+/);
    expect((await gadget()).spec.size).toBe(3);
    // Bob's editor follows the saved value.
    await waitForEditorText(bob, 'size: 3');
  });

  it('marks a color outside the enum, and locks spec.color for alice while bob types in it', async () => {
    await retype(bob, 'color', 'red', 'purple');
    await panel(bob).getByTestId('problem-count').filter({ hasText: '1 problem' }).waitFor({ timeout: 15_000 });
    await bob.getByTestId('own-leases').filter({ hasText: 'spec.color' }).waitFor();

    const lock = panel(alice).locator('[data-testid="lock-decoration"][data-path="spec.color"][data-user="bob"]');
    await lock.waitFor({ timeout: 5_000 });
    expect(await lock.innerText()).toContain('locked by bob');
    expect(await panel(alice).locator('[data-testid="presence-avatar"][data-user="bob"]').getAttribute('data-field')).toBe('spec.color');

    await cursorAtEndOf(alice, 'color:');
    await alice.keyboard.type('x');
    const refused = panel(alice).getByTestId('edit-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('spec.color is locked by bob');

    await retype(bob, 'color', 'purple', 'blue');
    await panel(bob).getByTestId('problem-count').filter({ hasText: 'No problems' }).waitFor({ timeout: 15_000 });
    expect(await saveWithConfirm(bob)).toMatch(/Saved as rv \S+/);
    expect((await gadget()).spec).toEqual({ size: 3, color: 'blue' });
    expect(errors.flat().filter((e) => !e.includes('favicon'))).toEqual([]);
  });
});
