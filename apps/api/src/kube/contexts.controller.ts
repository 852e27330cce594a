import { Controller, Get, Param, Query } from '@nestjs/common';
import { KubeContextsService } from './kube-contexts.service.js';
import {
  contextParamsSchema,
  resourceListQuerySchema,
  resourceTypeParamsSchema,
  type ContextSummary,
  type KubeObject,
  type ResourceTypeParams,
} from './kube.schemas.js';

/** Read-only browsing of the clusters behind each context; the shapes match what the web app expects. */
@Controller('api/contexts')
export class ContextsController {
  constructor(private readonly contexts: KubeContextsService) {}

  @Get()
  list(): Promise<ContextSummary[]> {
    return this.contexts.list();
  }

  @Get(':context/namespaces')
  namespaces(@Param({ schema: contextParamsSchema }) params: { context: string }): Promise<KubeObject[]> {
    return this.contexts.client(params.context).listNamespaces();
  }

  @Get(':context/resources/:group/:version/:resource')
  resources(
    @Param({ schema: resourceTypeParamsSchema }) params: ResourceTypeParams,
    @Query({ schema: resourceListQuerySchema }) query: { namespace?: string | undefined },
  ): Promise<KubeObject[]> {
    return this.contexts.client(params.context).listResources(params, query.namespace);
  }
}
