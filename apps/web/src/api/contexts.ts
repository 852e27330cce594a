import type { ContextInfo } from '@tandem/sync';
import { z } from 'zod';

const contextInfoSchema = z.object({
  name: z.string().min(1),
  server: z.string(),
  namespace: z.string().optional(),
  source: z.string(),
  status: z.enum(['ok', 'degraded', 'unreachable']),
  error: z.string().optional(),
}) satisfies z.ZodType<ContextInfo>;

/** Checks `GET /api/contexts`: the contexts the gateway knows, sandbox first. */
export function parseContexts(body: unknown): ContextInfo[] {
  const parsed = z.array(contextInfoSchema).safeParse(body);
  if (!parsed.success) throw new Error(`The gateway's context list has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
  return parsed.data;
}

export const contextsPath = '/api/contexts';
