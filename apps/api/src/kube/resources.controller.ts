import { Controller, Get, Param, Query } from '@nestjs/common';
import type { DiscoveredResource, KubeList } from './kube-client.js';
import { KubeContextsService } from './kube-contexts.service.js';
import { KubeApiError } from './kube.errors.js';
import {
  contextParamsSchema,
  kindParamsSchema,
  resourceListQuerySchema,
  resourceParamsSchema,
  resourceTypeParamsSchema,
  type KindParams,
  type KubeObject,
  type ResourceParams,
  type ResourceTypeParams,
} from './kube.schemas.js';
import { kindSchema, type KindSchema } from './openapi-schema.js';

/** Read-only browsing of the clusters behind each context: discovery, lists, single objects and kind schemas. */
@Controller('api/contexts')
export class ResourcesController {
  constructor(private readonly contexts: KubeContextsService) {}

  /** The resource types the cluster serves (`group` is `''` for the core group; URLs here spell it `core`). */
  @Get(':context/resources')
  discovery(@Param({ schema: contextParamsSchema }) params: { context: string }): Promise<DiscoveredResource[]> {
    return this.contexts.client(params.context).discover();
  }

  @Get(':context/namespaces')
  namespaces(@Param({ schema: contextParamsSchema }) params: { context: string }): Promise<KubeObject[]> {
    return this.contexts.client(params.context).listNamespaces();
  }

  /** One list, with the resourceVersion a watch would start from. */
  @Get(':context/resources/:group/:version/:resource')
  list(
    @Param({ schema: resourceTypeParamsSchema }) params: ResourceTypeParams,
    @Query({ schema: resourceListQuerySchema }) query: { namespace?: string | undefined },
  ): Promise<KubeList> {
    return this.contexts.client(params.context).list(params, query.namespace);
  }

  @Get(':context/resources/:group/:version/:resource/:name')
  get(
    @Param({ schema: resourceParamsSchema }) params: ResourceParams,
    @Query({ schema: resourceListQuerySchema }) query: { namespace?: string | undefined },
  ): Promise<KubeObject> {
    return this.contexts.client(params.context).get(params, query.namespace, params.name);
  }

  /** The kind's JSON Schema, from the cluster's OpenAPI v3 document of its group-version. */
  @Get(':context/schemas/:group/:version/:kind')
  async schema(@Param({ schema: kindParamsSchema }) params: KindParams): Promise<KindSchema> {
    const document = await this.contexts.client(params.context).openApiV3(params.group, params.version);
    const schema = kindSchema(document, params);
    const apiVersion = params.group === 'core' ? params.version : `${params.group}/${params.version}`;
    if (schema === undefined) {
      throw new KubeApiError(404, 'NotFound', `The cluster of context "${params.context}" publishes no schema for kind ${params.kind} in ${apiVersion}`);
    }
    return schema;
  }
}
