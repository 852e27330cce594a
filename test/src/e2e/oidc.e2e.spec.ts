/**
 * OpenID Connect sign-in in the browser, on a real API server, over two gateways: alice and bob
 * sign in on a real OpenID provider's page, each on their own gateway; the gateways act as them
 * (impersonation), so the cluster's RBAC decides; a viewer sees Save disabled with the reason.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebase, type JsonObject, type ResourceRef } from '@tandem/sync';
import { TandemClient, TandemRequestError } from '@tandem/sync/client';
import { launchBrowser, openPage, openShopWeb, panel, saveWithConfirm, screenshot, waitForEditorText } from '../support/browser.js';
import { startCluster, TARGETS, type TestCluster } from '../support/cluster.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { freeLoopbackPort, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { signInWithOidc } from '../support/oidc-login.js';
import { grantRoles, writeGatewayKubeconfig } from '../support/rbac.js';

const CONTEXT = 'lab';
const webRef: ResourceRef = { context: CONTEXT, group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' };

function withMetadata(object: JsonObject, key: 'labels' | 'annotations', name: string, value: string): JsonObject {
  const metadata = object['metadata'] as JsonObject;
  return { ...object, metadata: { ...metadata, [key]: { ...((metadata[key] as JsonObject | undefined) ?? {}), [name]: value } } };
}

/** Signs in on the provider's own page: any login, any password, then consent. */
async function signIn(page: Page, login: string): Promise<void> {
  await page.getByTestId('oidc-sign-in').click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  // The consent step, the first time this client asks.
  await page.locator('button[type="submit"]', { hasText: 'Continue' }).click();
  await page.getByTestId('current-user').filter({ hasText: login }).waitFor({ timeout: 15_000 });
}

// Sign-in is about the cluster's RBAC, which only a real API server has.
describe.skipIf(!TARGETS.includes('kube-apiserver'))('signing in with OpenID Connect, on two gateways of a real cluster', () => {
  let cluster: TestCluster;
  let home: string;
  let provider: TestOidcProvider;
  let gateways: RunningGateway[] = [];
  let browser: Browser;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'tandem-oidc-'));
    cluster = await startCluster('kube-apiserver');
    await grantRoles(cluster);
    const kubeconfig = await writeGatewayKubeconfig(cluster, home, CONTEXT);
    const providerPort = await freeLoopbackPort();
    const shared = {
      KUBECONFIG: kubeconfig,
      TANDEM_SANDBOX: 'off',
      TANDEM_AUTH: 'oidc',
      TANDEM_OIDC_ISSUER: `http://localhost:${String(providerPort)}`,
      TANDEM_OIDC_CLIENT_ID: 'tandem',
      TANDEM_OIDC_CLIENT_SECRET: 'tandem-test-client-secret',
      TANDEM_OIDC_SCOPES: 'openid profile groups offline_access',
      // Both gateways read each other's sessions.
      TANDEM_SESSION_SECRET: randomBytes(32).toString('hex'),
      REDIS_URL: 'redis://127.0.0.1:6379',
      TANDEM_REDIS_PREFIX: `tandem-oidc-${randomUUID().slice(0, 8)}`,
    };
    gateways = await Promise.all([startGateway({ env: shared }), startGateway({ env: shared })]);
    provider = await startOidcProvider(
      providerPort,
      gateways.map((gateway) => `${gateway.url}/auth/callback`),
      { alice: ['tandem:editors'], bob: ['tandem:editors'], vera: ['tandem:viewers'] },
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await provider?.close();
    await cluster?.close();
    if (home !== undefined) await rm(home, { recursive: true, force: true });
  });

  it('refuses a socket without a session, whatever name it types', async () => {
    const [east] = gateways;
    if (east === undefined) throw new Error('no gateway');
    const forged = new TandemClient({ url: east.url, user: 'alice', reconnection: false });
    try {
      await expect(forged.connected()).rejects.toThrow(/^unauthenticated: not signed in/);
    } finally {
      forged.close();
    }
  });

  it('signs alice in on the provider\'s page; bob, on the other gateway, sees her presence and her save', async () => {
    const [east, west] = gateways;
    if (east === undefined || west === undefined) throw new Error('no gateways');
    const alice = (await openPage(browser, east.url)).page;
    const bob = (await openPage(browser, west.url)).page;
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    await openShopWeb(alice);
    await openShopWeb(bob);
    await panel(bob).locator('[data-testid="presence-avatar"][data-user="alice"]').waitFor({ timeout: 15_000 });

    await panel(alice).locator('.view-line', { hasText: 'deployment.kubernetes.io/revision' }).first().click();
    await alice.keyboard.press('End');
    await alice.keyboard.press('Enter');
    await alice.keyboard.type('owner: alice');
    await waitForEditorText(alice, 'owner: alice');
    expect(await saveWithConfirm(alice)).toMatch(/Saved as rv \S+/);

    // Bob hears of it on his gateway, named as alice, and the cluster has it.
    await waitForEditorText(bob, 'owner: alice');
    expect(await panel(bob).getByTestId('upstream-banner').innerText()).toMatch(/alice changed metadata\.annotations\.owner/);
    const web = await cluster.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web');
    expect((web['metadata'] as { annotations: Record<string, string> }).annotations).toMatchObject({ owner: 'alice' });
    await screenshot(bob, 'oidc-two-gateways');
  });

  it('shows a viewer Save disabled with the cluster\'s reason', async () => {
    const [east] = gateways;
    if (east === undefined) throw new Error('no gateway');
    const vera = (await openPage(browser, east.url)).page;
    await signIn(vera, 'vera');
    await openShopWeb(vera);
    const reason = panel(vera).getByTestId('save-disabled-reason');
    await reason.waitFor({ timeout: 15_000 });
    expect(await reason.innerText()).toContain('vera may not update deployments.apps in shop');
    expect(await panel(vera).getByTestId('save-button').isDisabled()).toBe(true);
  });

  it('runs the Dashboard scenario and a lease over two gateways with OIDC sessions: nothing lost, each change named by its signed-in author', async () => {
    const [east, west] = gateways;
    if (east === undefined || west === undefined) throw new Error('no gateways');
    const connect = async (url: string, login: string): Promise<TandemClient> => {
      const client = new TandemClient({ url, reconnection: false, extraHeaders: { cookie: await signInWithOidc(url, login) } });
      await client.connected();
      return client;
    };
    const alice = await connect(east.url, 'alice');
    const bob = await connect(west.url, 'bob');
    try {
      const aliceView = await alice.request('resource:join', { ref: webRef });
      const bobView = await bob.request('resource:join', { ref: webRef });
      const saved = await alice.request('resource:save', { ref: webRef, baseResourceVersion: aliceView.resourceVersion, object: withMetadata(aliceView.object, 'annotations', 'dashboard', 'alice') });

      // Bob's save from the older copy is blocked as stale, naming alice, never merged silently.
      const bobEdited = withMetadata(bobView.object, 'labels', 'reviewed', 'bob');
      const stale = await bob.request('resource:save', { ref: webRef, baseResourceVersion: bobView.resourceVersion, object: bobEdited }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (!(stale instanceof TandemRequestError)) throw new Error('bob\'s stale save was not refused');
      if (stale.failure.code !== 'stale') throw new Error(`bob's save was refused as ${stale.failure.code}, not as stale`);
      const details = stale.failure.details;
      expect(details.changedBy).toBe('alice');
      const rebased = rebase(bobView.object, bobEdited, details.current);
      expect(rebased.conflicts).toEqual([]);
      await bob.request('resource:save', { ref: webRef, baseResourceVersion: details.resourceVersion, object: rebased.merged as JsonObject });

      const metadata = (await cluster.api('GET', '/apis/apps/v1/namespaces/shop/deployments/web'))['metadata'] as JsonObject;
      expect(metadata['annotations']).toMatchObject({ dashboard: 'alice' });
      expect(metadata['labels']).toMatchObject({ reviewed: 'bob' });
      expect(saved.resourceVersion).not.toBe(aliceView.resourceVersion);

      // A lease held by bob on one gateway blocks alice's save of that field on the other.
      await bob.request('lock:acquire', { ref: webRef, path: 'spec.paused' });
      const current = await alice.request('resource:join', { ref: webRef });
      const locked = await alice.request('resource:save', { ref: webRef, baseResourceVersion: current.resourceVersion, object: { ...current.object, spec: { ...(current.object['spec'] as JsonObject), paused: true } } }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(locked).toBeInstanceOf(TandemRequestError);
      expect((locked as TandemRequestError).code).toBe('locked');
      expect((locked as TandemRequestError).message).toContain('spec.paused is being edited by bob');
    } finally {
      alice.close();
      bob.close();
    }
  });
});
