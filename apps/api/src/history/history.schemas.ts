import { HISTORY_OUTCOMES, MAX_HISTORY_PAGE } from '@tandem/store';
import { z } from 'zod';

/** Epoch milliseconds or an RFC 3339 time. */
const instant = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an RFC 3339 time such as 2026-01-31T12:00:00Z' });
      return z.NEVER;
    }
    return ms;
  });

const text = z.string().trim().min(1).max(253);

/** `GET /api/history` filters; `namespace=` (empty) selects cluster-scoped objects. */
export const historyFilterQuerySchema = z.strictObject({
  context: text.optional(),
  group: z.string().trim().max(253).optional(),
  version: text.optional(),
  resource: text.optional(),
  namespace: z.string().trim().max(63).optional(),
  name: text.optional(),
  user: text.optional(),
  outcome: z.enum(HISTORY_OUTCOMES, { error: `must be one of ${HISTORY_OUTCOMES.join(', ')}` }).optional(),
  since: instant.optional(),
  until: instant.optional(),
});

export const historyPageQuerySchema = historyFilterQuerySchema.extend({
  cursor: z.string().regex(/^\d{1,16}-\d{1,16}$/, 'must be the nextCursor of a previous page').optional(),
  limit: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_HISTORY_PAGE}`)
    .default('50')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(MAX_HISTORY_PAGE, `must be at most ${MAX_HISTORY_PAGE}`)),
});

export type HistoryFilterQuery = z.infer<typeof historyFilterQuerySchema>;
export type HistoryPageQuery = z.infer<typeof historyPageQuerySchema>;

export const historyIdParamsSchema = z.object({ id: z.string().regex(/^\d{1,16}-\d{1,16}$/, 'must be a history entry id such as 1767225600000-0') });
