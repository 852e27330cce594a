/**
 * The ValidatingWebhookConfiguration an operator applies: UPDATE of the configured resource types (and their scale
 * subresource), failing open, without side effects, scoped by the configured selectors.
 */
import type { LabelSelector } from '../config/admission.schema.js';

export const WEBHOOK_CONFIGURATION_NAME = 'tandem-leases';
export const WEBHOOK_NAME = 'leases.tandem.dev';
/** The API server waits at most this long for an answer, then ignores the webhook. */
export const WEBHOOK_TIMEOUT_SECONDS = 2;

/** Resource types with a scale subresource: `kubectl scale` writes through it. */
const SCALABLE = new Set(['deployments.apps', 'statefulsets.apps', 'replicasets.apps', 'replicationcontrollers']);

export interface WebhookConfigurationInput {
  /** The address the API server calls, ending in /validate. */
  readonly url: string;
  /** PEM of the CA that signed the serving certificate. */
  readonly caPem: string;
  /** `resource[.group]`, as kubectl names them. */
  readonly resources: readonly string[];
  readonly namespaceSelector: LabelSelector | undefined;
  readonly objectSelector: LabelSelector | undefined;
}

interface Rule {
  readonly apiGroups: string[];
  readonly apiVersions: string[];
  readonly operations: string[];
  readonly resources: string[];
  readonly scope: '*';
}

export interface ValidatingWebhookConfiguration {
  readonly apiVersion: 'admissionregistration.k8s.io/v1';
  readonly kind: 'ValidatingWebhookConfiguration';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly webhooks: readonly {
    readonly name: string;
    readonly admissionReviewVersions: readonly string[];
    readonly clientConfig: { readonly url: string; readonly caBundle: string };
    readonly rules: readonly Rule[];
    readonly failurePolicy: 'Ignore';
    readonly sideEffects: 'None';
    readonly matchPolicy: 'Equivalent';
    readonly timeoutSeconds: number;
    readonly namespaceSelector: LabelSelector;
    readonly objectSelector: LabelSelector;
  }[];
}

export function renderWebhookConfiguration(input: WebhookConfigurationInput): ValidatingWebhookConfiguration {
  const byGroup = new Map<string, string[]>();
  for (const entry of input.resources) {
    const dot = entry.indexOf('.');
    const resource = dot === -1 ? entry : entry.slice(0, dot);
    const group = dot === -1 ? '' : entry.slice(dot + 1);
    const resources = byGroup.get(group) ?? [];
    resources.push(resource);
    if (SCALABLE.has(entry)) resources.push(`${resource}/scale`);
    byGroup.set(group, resources);
  }
  const rules = [...byGroup.entries()].map(([group, resources]): Rule => ({ apiGroups: [group], apiVersions: ['*'], operations: ['UPDATE'], resources, scope: '*' }));
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: WEBHOOK_CONFIGURATION_NAME, labels: { 'app.kubernetes.io/name': 'tandem', 'app.kubernetes.io/component': 'admission' } },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        clientConfig: { url: input.url, caBundle: Buffer.from(input.caPem).toString('base64') },
        rules,
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        matchPolicy: 'Equivalent',
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
        namespaceSelector: input.namespaceSelector ?? {},
        objectSelector: input.objectSelector ?? {},
      },
    ],
  };
}
