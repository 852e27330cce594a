import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The built web app sits beside the gateway in the workspace: apps/api/dist -> apps/web/dist. */
const defaultWebDist = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number between 0 and 65535')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().int().min(0, 'must be at least 0').max(65535, 'must be at most 65535'));

/** Empty variables count as unset, as a shell `FOO= npm start` means "no value". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const environmentSchema = z.object({
  PORT: port(4280),
  HOST: z.string().trim().min(1, 'must not be empty').default('0.0.0.0'),
  TANDEM_SANDBOX: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  TANDEM_SANDBOX_PORT: port(0),
  TANDEM_SANDBOX_KUBECONFIG: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .default(join(tmpdir(), 'tandem', 'sandbox.kubeconfig')),
  KUBECONFIG: optionalText,
  REDIS_URL: optionalText.pipe(
    z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional(),
  ),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  TANDEM_WEB_DIST: z.string().trim().min(1, 'must not be empty').default(defaultWebDist),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Gateway settings, read once at boot; everything else receives this object, never `process.env`. */
export interface AppConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly sandbox: { readonly enabled: boolean; readonly port: number; readonly kubeconfigPath: string };
  /** The user's own kubeconfig files (`KUBECONFIG` list), when set. */
  readonly kubeconfig: string | undefined;
  readonly redisUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly webDist: string;
}
