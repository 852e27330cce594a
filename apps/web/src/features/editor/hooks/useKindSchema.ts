import { queryOptions, useQuery } from '@tanstack/react-query';
import type { JSONSchema } from 'monaco-yaml';
import { z } from 'zod';
import { getJson } from '../../../api/gateway.js';
import { gatewayPaths } from '../../../api/paths.js';

function parseJsonSchema(body: unknown): JSONSchema {
  const parsed = z.record(z.string(), z.unknown()).safeParse(body);
  if (!parsed.success) throw new Error('The gateway answered with something that is not a JSON Schema object');
  return parsed.data as JSONSchema;
}

/** The query for a kind's JSON Schema; the resource list prefetches it so it is there when an editor opens. */
export function kindSchemaQuery(context: string, group: string, version: string, kind: string) {
  const path = gatewayPaths.schema(context, group, version, kind);
  return queryOptions({
    queryKey: ['contexts', context, 'schema', group, version, kind],
    queryFn: ({ signal }) => getJson(path, parseJsonSchema, signal),
    staleTime: Infinity,
    retry: false,
  });
}

/** The schema's URL, which names it for monaco-yaml. */
export function kindSchemaUri(context: string, group: string, version: string, kind: string): string {
  return new URL(gatewayPaths.schema(context, group, version, kind), window.location.origin).toString();
}

/** The kind's JSON Schema from the cluster's OpenAPI, for validation and completion in the editor. */
export function useKindSchema(context: string, group: string, version: string, kind: string) {
  const query = useQuery(kindSchemaQuery(context, group, version, kind));
  return { ...query, uri: kindSchemaUri(context, group, version, kind) };
}
