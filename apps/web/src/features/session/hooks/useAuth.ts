import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';

const whoAmISchema = z.object({
  mode: z.enum(['dev', 'oidc', 'token', 'proxy']),
  user: z.string().optional(),
  groups: z.array(z.string()),
});

export type WhoAmI = z.infer<typeof whoAmISchema>;

export const whoAmIQuery = queryOptions({
  queryKey: ['auth', 'me'],
  queryFn: ({ signal }) =>
    getJson(
      gatewayPaths.me(),
      (body) => {
        const parsed = whoAmISchema.safeParse(body);
        if (!parsed.success) throw new Error('The gateway answered /auth/me with an unexpected shape');
        return parsed.data;
      },
      signal,
    ),
  staleTime: Infinity,
  retry: 1,
});

/** How this gateway signs people in, and who this browser is signed in as (none yet: `user` undefined). */
export function useAuth() {
  return useQuery(whoAmIQuery);
}
