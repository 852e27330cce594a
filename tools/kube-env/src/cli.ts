/**
 * `npm run kube:up`: builds (or reuses) the binaries, starts a real kube-apiserver and etcd on
 * loopback with the sandbox's demo data, prints the admin kubeconfig and keeps running until
 * Ctrl-C, then stops both and removes their data.
 *
 *   npm run kube:up -- [--kubeconfig <path>] [--no-seed] [--user name:group1,group2 ...]
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoObjects } from '@tandem/kube-sandbox';
import { createObjects, startKubeEnv, type KubeEnvUser } from './index.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'no-seed': { type: 'boolean', default: false },
    user: { type: 'string', multiple: true, default: [] },
  },
});

const users: KubeEnvUser[] = values.user.map((spec) => {
  const [name = '', groups = ''] = spec.split(':');
  if (!/^[a-z0-9][a-z0-9.@_-]*$/i.test(name)) throw new Error(`--user ${spec}: expected name or name:group1,group2`);
  return { name, groups: groups === '' ? [] : groups.split(',') };
});

const env = await startKubeEnv({ users });
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await env.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

try {
  if (!values['no-seed']) {
    const seeded = await createObjects(env, demoObjects());
    process.stdout.write(`Seeded the demo data: ${String(seeded.created)} objects (namespace shop)\n`);
  }
  const kubeconfigPath = resolve(values.kubeconfig ?? `${env.dir}/kube-env.kubeconfig`);
  await writeFile(kubeconfigPath, env.kubeconfig({ context: 'kube-env', namespace: 'shop' }), { mode: 0o600 });
  for (const user of users) {
    const path = kubeconfigPath.replace(/(\.kubeconfig)?$/, `-${user.name}.kubeconfig`);
    await writeFile(path, env.kubeconfig({ user: user.name, context: 'kube-env', namespace: 'shop' }), { mode: 0o600 });
    process.stdout.write(`Kubeconfig for ${user.name}: ${path}\n`);
  }
  process.stdout.write(`kube-apiserver ${env.version} is running at ${env.url}\n`);
  process.stdout.write(`Kubeconfig: ${kubeconfigPath}  (try: KUBECONFIG=${kubeconfigPath} npm start)\n`);
  process.stdout.write('Ctrl-C stops it and removes its data.\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await env.close();
  process.exit(1);
}
