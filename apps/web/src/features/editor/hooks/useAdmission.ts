import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';
import type { AdmissionMode } from '../state/outside-writes.js';

const statusSchema = z.object({ mode: z.enum(['off', 'warn', 'enforce']), context: z.string() });

/**
 * Whether leases in `context` hold for every client (the cluster's admission webhook): `enforce`
 * (other clients' writes to a held field are refused), `warn`, or `off` (also while unknown).
 */
export function useAdmissionMode(context: string): AdmissionMode {
  const query = useQuery({
    queryKey: ['admission'],
    queryFn: ({ signal }) => getJson(gatewayPaths.admission(), (body) => statusSchema.parse(body), signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
  return query.data !== undefined && query.data.context === context ? query.data.mode : 'off';
}
