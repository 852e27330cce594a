import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inClusterContext } from './in-cluster.js';

describe(inClusterContext.name, () => {
  let dir: string;
  const pod = { serviceHost: '10.96.0.1', servicePort: '443' };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tandem-sa-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const mount = async (files: Record<string, string>): Promise<void> => {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  };

  it('offers no context outside a Pod in auto mode, and none at all when off', async () => {
    await mount({ token: 't', 'ca.crt': 'ca' });
    expect(inClusterContext({ mode: 'auto', serviceAccountDir: dir, serviceHost: undefined, servicePort: undefined })).toMatchObject({ present: false });
    expect(inClusterContext({ mode: 'off', serviceAccountDir: dir, ...pod })).toMatchObject({ present: false });
  });

  it('offers no context in auto mode when the Pod mounts no token (automountServiceAccountToken: false)', () => {
    expect(inClusterContext({ mode: 'auto', serviceAccountDir: dir, ...pod })).toMatchObject({ present: false, reason: expect.stringMatching(/no ServiceAccount token/) });
  });

  it('lists the context as degraded, naming what is missing, when on without a token or CA', () => {
    const found = inClusterContext({ mode: 'on', serviceAccountDir: dir, ...pod });
    expect(found).toMatchObject({ present: true, server: 'https://10.96.0.1:443', kubeConfig: undefined, problem: expect.stringMatching(/token and .*ca\.crt are missing/) });
  });

  it('reaches the API server at the service address with the token file, the CA and the namespace', async () => {
    await mount({ token: 'secret-token', 'ca.crt': 'ca', namespace: 'tandem\n' });
    const found = inClusterContext({ mode: 'auto', serviceAccountDir: dir, serviceHost: 'fd00::1', servicePort: '6443' });
    if (!found.present || found.kubeConfig === undefined) throw new Error('no in-cluster context');
    expect(found.server).toBe('https://[fd00::1]:6443');
    expect(found.namespace).toBe('tandem');
    expect(found.kubeConfig.getCurrentContext()).toBe('in-cluster');
    expect(found.kubeConfig.getContextObject('in-cluster')?.namespace).toBe('tandem');
    expect(found.kubeConfig.getCurrentCluster()).toMatchObject({ server: 'https://[fd00::1]:6443', caFile: join(dir, 'ca.crt') });
    expect(found.kubeConfig.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: join(dir, 'token') } });
  });
});
