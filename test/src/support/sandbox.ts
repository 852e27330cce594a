import { KubeConfig } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '@tandem/kube-sandbox';
import { afterAll, beforeAll } from 'vitest';

export type SandboxStartOptions = NonNullable<Parameters<typeof startSandbox>[0]>;

/**
 * Starts one sandbox for the enclosing `describe` (or file) and closes it afterwards.
 * Returns an accessor because the sandbox only exists once `beforeAll` has run.
 */
export function withSandbox(options: SandboxStartOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  return () => {
    if (sandbox === undefined) {
      throw new Error('The sandbox is not running: call the accessor from inside a test or hook, not at collection time.');
    }
    return sandbox;
  };
}

export interface SandboxKubeConfigOptions {
  context?: string;
  namespace?: string;
  /** Talk to this URL instead of the sandbox itself, e.g. a proxy in front of it. */
  server?: string;
}

/** A client-node KubeConfig loaded from the kubeconfig YAML the sandbox hands out. */
export function loadKubeConfig(sandbox: Sandbox, options: SandboxKubeConfigOptions = {}): KubeConfig {
  const { server, ...kubeconfigOptions } = options;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(sandbox.kubeconfig(kubeconfigOptions));
  if (server === undefined) return kubeConfig;
  const redirected = new KubeConfig();
  redirected.loadFromOptions({
    clusters: kubeConfig.clusters.map((cluster) => ({ ...cluster, server })),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return redirected;
}

/** Host and port of a sandbox (or any http URL), for raw TCP access. */
export function endpointOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}
