/**
 * The admission webhook beside a real kube-apiserver (@tandem/kube-env): 50 concurrent
 * kubectl-style writers, each patching a field of its own ConfigMap while alice holds another
 * field of it (admitted after the webhook's field-by-field check), timed at the API server without
 * the webhook and with it; and the webhook's own answer time to such reviews, posted straight to it
 * by 50 concurrent senders.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createObjects, startKubeEnv, type KubeEnv } from '@tandem/kube-env';
import { demoObjects } from '@tandem/kube-sandbox';
import type { JsonObject, ResourceRef } from '@tandem/sync';
import { TandemClient } from '@tandem/sync/client';
import { inBatches, progress, startChild, stopAllChildren } from './support/child-process.js';
import { ms, percentiles, type BenchRow, type BenchSection } from './types.js';

const WRITERS = 50;
const WRITES_PER_WRITER = 10;
const CONTEXT = 'kube-env';
const CONFIGMAPS = '/api/v1/namespaces/shop/configmaps';
const configMap = (writer: number): string => `bench-admission-${String(writer)}`;
const configMapRef = (writer: number): ResourceRef => ({ context: CONTEXT, group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: configMap(writer) });
const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

interface WebhookConfiguration extends JsonObject {
  webhooks: { clientConfig: { url: string; caBundle: string } }[];
}

/** `WRITERS` concurrent writers, each sending `WRITES_PER_WRITER` strategic merge patches of `data.value` of its own ConfigMap one after another. */
async function concurrentPatches(env: KubeEnv, round: string): Promise<number[]> {
  const samples: number[] = [];
  await inBatches(
    Array.from({ length: WRITERS }, (_, writer) => writer),
    WRITERS,
    async (writer) => {
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const started = performance.now();
        const written = await env.request('PATCH', `${CONFIGMAPS}/${configMap(writer)}?fieldManager=kubectl-patch`, { data: { value: `${round}-${String(i)}` } }, { contentType: 'application/strategic-merge-patch+json' });
        if (written.status !== 200) throw new Error(`PATCH answered ${String(written.status)}: ${JSON.stringify(written.body)}`);
        samples.push(performance.now() - started);
      }
    },
  );
  return samples;
}

function postReview(url: URL, ca: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const answer = JSON.parse(text) as { response?: { allowed?: boolean } };
        if (response.statusCode !== 200 || answer.response?.allowed !== true) reject(new Error(`the webhook answered ${String(response.statusCode)}: ${text}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The reviews the API server sends for those patches, posted straight to the webhook by `WRITERS` concurrent senders. */
async function webhookAnswers(env: KubeEnv, url: URL, ca: string): Promise<number[]> {
  const samples: number[] = [];
  await inBatches(
    Array.from({ length: WRITERS }, (_, writer) => writer),
    WRITERS,
    async (writer) => {
      const current = (await env.request('GET', `${CONFIGMAPS}/${configMap(writer)}`)).body as JsonObject;
      for (let i = 0; i < WRITES_PER_WRITER; i++) {
        const object = { ...current, data: { ...(current['data'] as JsonObject), value: `review-${String(i)}` } };
        const review = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: `${String(writer)}-${String(i)}`,
            kind: { group: '', version: 'v1', kind: 'ConfigMap' },
            resource: { group: '', version: 'v1', resource: 'configmaps' },
            name: configMap(writer),
            namespace: 'shop',
            operation: 'UPDATE',
            userInfo: { username: 'bob', groups: ['tandem:editors', 'system:authenticated'] },
            oldObject: current,
            object,
            options: { kind: 'PatchOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-patch' },
          },
        };
        const body = JSON.stringify(review);
        const started = performance.now();
        await postReview(url, ca, body);
        samples.push(performance.now() - started);
      }
    },
  );
  return samples;
}

export async function run(): Promise<BenchSection> {
  const env = await startKubeEnv();
  const directory = await mkdtemp(join(tmpdir(), 'tandem-bench-admission-'));
  const rows: BenchRow[] = [];
  let alice: TandemClient | undefined;
  try {
    await createObjects(env, demoObjects());
    const kubeconfig = join(directory, 'kubeconfig');
    await env.writeKubeconfig(kubeconfig, { context: CONTEXT, namespace: 'shop' });
    const gateway = await startChild({
      name: 'gateway',
      args: ['apps/api/dist/main.js'],
      env: { PORT: '0', HOST: '127.0.0.1', TANDEM_SANDBOX: 'off', KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn', TANDEM_LEASE_TTL_MS: '600000', TANDEM_ADMISSION: 'enforce', TANDEM_ADMISSION_PORT: '0', TANDEM_ADMISSION_CONTEXT: CONTEXT },
      readyPattern: /Tandem is running at (http:\/\/localhost:\d+)/,
      readyTimeoutMs: 60_000,
    });
    const gatewayUrl = gateway.readyMatch[1] ?? '';
    alice = new TandemClient({ url: gatewayUrl, user: 'alice', reconnection: false });
    await alice.connected();
    for (let writer = 0; writer < WRITERS; writer++) {
      const created = await env.request('POST', CONFIGMAPS, { metadata: { name: configMap(writer) }, data: { value: '0', held: 'alice' } });
      if (created.status !== 201) throw new Error(`creating ${configMap(writer)} answered ${String(created.status)}`);
    }
    for (let writer = 0; writer < WRITERS; writer++) {
      // The gateway may not have seen a ConfigMap created a moment ago yet.
      for (const deadline = Date.now() + 30_000; ; ) {
        const joined = await alice.request('resource:join', { ref: configMapRef(writer) }).then(
          () => true,
          (error: unknown) => {
            if (Date.now() > deadline) throw error;
            return false;
          },
        );
        if (joined) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await alice.request('lock:acquire', { ref: configMapRef(writer), path: 'data.held' });
    }

    progress('API server writes without the webhook');
    await concurrentPatches(env, 'warm');
    const bare = percentiles(await concurrentPatches(env, 'bare'));

    const configuration = (await (await fetch(`${gatewayUrl}/api/admission/webhook-configuration`)).json()) as WebhookConfiguration;
    const webhook = configuration.webhooks[0];
    if (webhook === undefined) throw new Error('the gateway rendered no webhook');
    const applied = await env.request('POST', WEBHOOKS, configuration);
    if (applied.status !== 201) throw new Error(`applying the webhook configuration answered ${String(applied.status)}`);
    // The API server picks the configuration up within a moment: wait until a dry run of a held field is refused.
    for (const deadline = Date.now() + 30_000; ; ) {
      const probe = await env.request('PATCH', `${CONFIGMAPS}/${configMap(0)}?dryRun=All`, { data: { held: 'bob' } }, { contentType: 'application/merge-patch+json' });
      if (probe.status === 403) break;
      if (Date.now() > deadline) throw new Error('the API server never called the webhook');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    progress('API server writes through the webhook');
    await concurrentPatches(env, 'warm-hook');
    const hooked = percentiles(await concurrentPatches(env, 'hook'));
    progress('webhook answers');
    const ca = Buffer.from(webhook.clientConfig.caBundle, 'base64').toString('utf8');
    const answers = percentiles(await webhookAnswers(env, new URL(webhook.clientConfig.url), ca));

    rows.push(
      { name: `API server PATCH, ${String(WRITERS)} concurrent writers, no webhook (floor), p50`, value: ms(bare.p50) },
      { name: `API server PATCH, ${String(WRITERS)} concurrent writers, no webhook (floor), p99`, value: ms(bare.p99) },
      { name: `API server PATCH, ${String(WRITERS)} concurrent writers, through the webhook, p50`, value: ms(hooked.p50) },
      { name: `API server PATCH, ${String(WRITERS)} concurrent writers, through the webhook, p99`, value: ms(hooked.p99) },
      { name: `webhook answer, ${String(WRITERS)} concurrent senders, p50`, value: ms(answers.p50) },
      { name: `webhook answer, ${String(WRITERS)} concurrent senders, p99`, value: ms(answers.p99), target: 'p99 < 2000 ms (the API server\'s timeout)', pass: answers.p99 < 2_000 },
    );
    await env.request('DELETE', `${WEBHOOKS}/tandem-leases`);
    await gateway.stop();
  } finally {
    alice?.close();
    await stopAllChildren();
    await env.close();
    await rm(directory, { recursive: true, force: true });
  }
  return {
    title: 'Admission webhook',
    method: `kube-apiserver ${env.version} and etcd from @tandem/kube-env on loopback; one gateway with TANDEM_ADMISSION=enforce and the in-process lease store. Writes: ${String(WRITERS)} concurrent writers, each with a ConfigMap of its own whose data.held alice holds in Tandem, send ${String(WRITES_PER_WRITER)} strategic merge patches (fieldManager kubectl-patch) of data.value one after another, timed from send to the API server's answer, first without the webhook configuration, then with it (each write admitted after the field-by-field check against alice's lease); one warm-up round before each is not counted. Webhook answers: the same number of AdmissionReviews (a ConfigMap's old and new object, user bob) posted straight to the webhook over HTTPS, each on a new TLS connection (the API server reuses its connections, so this is the pessimistic figure), by ${String(WRITERS)} concurrent senders, timed from send to answer.`,
    rows,
  };
}
