import { z } from 'zod';

export const ADMISSION_MODES = ['off', 'warn', 'enforce'] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];

/** Groups whose writes never meet a lease by default: the control plane's controllers and the kubelets. */
export const DEFAULT_EXEMPT_GROUPS = 'system:serviceaccounts:kube-system,system:nodes';
/** Resource types the generated webhook configuration covers by default (`resource[.group]`, as kubectl names them). */
export const DEFAULT_ADMISSION_RESOURCES = 'deployments.apps,statefulsets.apps,daemonsets.apps,replicasets.apps,configmaps,services,cronjobs.batch,jobs.batch';

/** A comma-separated list; empty counts as unset (the default), as for every variable. */
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text) => (text.trim() === '' ? fallback : text).split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''));

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

/** A Kubernetes LabelSelector as JSON (`{"matchLabels":{…}}` or `matchExpressions`); empty: every object. */
const LabelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string().min(1), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }))
    .optional(),
});
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

const labelSelector = optionalText.transform((text, ctx): LabelSelector | undefined => {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a label selector as JSON, such as {"matchLabels":{"tandem.dev/leases":"on"}}' });
    return z.NEVER;
  }
  const result = LabelSelectorSchema.safeParse(parsed);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: `must be a label selector as JSON (matchLabels, matchExpressions): ${result.error.issues.map((issue) => issue.message).join('; ')}` });
    return z.NEVER;
  }
  return result.data;
});

const RESOURCE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?)?$/;

export const admissionEnvironmentShape = {
  TANDEM_ADMISSION: z.enum(ADMISSION_MODES, { error: 'must be "off", "warn" or "enforce"' }).default('off'),
  TANDEM_ADMISSION_HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  TANDEM_ADMISSION_PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number between 0 and 65535')
    .default('4443')
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, 'must be at most 65535')),
  TANDEM_ADMISSION_CERT_FILE: optionalText,
  TANDEM_ADMISSION_KEY_FILE: optionalText,
  TANDEM_ADMISSION_URL: optionalText.pipe(z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional()),
  TANDEM_ADMISSION_CONTEXT: z.string().trim().min(1, 'must not be empty').default('in-cluster'),
  TANDEM_ADMISSION_EXEMPT_USERS: list(''),
  TANDEM_ADMISSION_EXEMPT_GROUPS: list(DEFAULT_EXEMPT_GROUPS),
  TANDEM_ADMISSION_RESOURCES: list(DEFAULT_ADMISSION_RESOURCES).transform((resources, ctx) => {
    const wrong = resources.find((resource) => !RESOURCE.test(resource));
    if (wrong !== undefined) {
      ctx.addIssue({ code: 'custom', message: `must list resource types as kubectl names them, such as deployments.apps,configmaps (not "${wrong}")` });
      return z.NEVER;
    }
    return resources;
  }),
  TANDEM_ADMISSION_NAMESPACE_SELECTOR: labelSelector,
  TANDEM_ADMISSION_OBJECT_SELECTOR: labelSelector,
};

type AdmissionVariables = z.output<z.ZodObject<typeof admissionEnvironmentShape>>;

/** The admission webhook (docs/security.md, "Leases for every client"). */
export interface AdmissionConfig {
  readonly mode: AdmissionMode;
  /** Where the webhook's HTTPS server listens; port 0 picks a free one. */
  readonly host: string;
  readonly port: number;
  /** A serving certificate and key (PEM files); undefined: one is generated at start, with its own CA. */
  readonly certificate: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** The address the API server calls; default https://<host>:<port>/validate. */
  readonly url: string | undefined;
  /** The Tandem context name the webhook's cluster has: leases are looked up under it. */
  readonly context: string;
  readonly exemptUsers: readonly string[];
  readonly exemptGroups: readonly string[];
  /** Resource types of the generated configuration, `resource[.group]`. */
  readonly resources: readonly string[];
  readonly namespaceSelector: LabelSelector | undefined;
  readonly objectSelector: LabelSelector | undefined;
}

export function admissionFrom(vars: AdmissionVariables): AdmissionConfig {
  const certFile = vars.TANDEM_ADMISSION_CERT_FILE;
  const keyFile = vars.TANDEM_ADMISSION_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new AdmissionConfigError('TANDEM_ADMISSION_CERT_FILE and TANDEM_ADMISSION_KEY_FILE go together: set both (a serving certificate and its key) or neither (one is generated at start)');
  }
  return {
    mode: vars.TANDEM_ADMISSION,
    host: vars.TANDEM_ADMISSION_HOST,
    port: vars.TANDEM_ADMISSION_PORT,
    certificate: certFile !== undefined && keyFile !== undefined ? { certFile, keyFile } : undefined,
    url: vars.TANDEM_ADMISSION_URL,
    context: vars.TANDEM_ADMISSION_CONTEXT,
    exemptUsers: vars.TANDEM_ADMISSION_EXEMPT_USERS,
    exemptGroups: vars.TANDEM_ADMISSION_EXEMPT_GROUPS,
    resources: vars.TANDEM_ADMISSION_RESOURCES,
    namespaceSelector: vars.TANDEM_ADMISSION_NAMESPACE_SELECTOR,
    objectSelector: vars.TANDEM_ADMISSION_OBJECT_SELECTOR,
  };
}

export class AdmissionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionConfigError';
  }
}
