import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { Actor } from '../identity/actor.js';
import { AccessReviews, type AccessDecision } from '../auth/access-reviews.js';
import { CurrentActor, SignedInGuard } from '../auth/auth.guard.js';
import { z } from 'zod';
import type { DiscoveredResource, KubeList } from '../kube/kube-client.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import { KubeApiError } from '../errors/kube-api-error.js';
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
} from '../kube/kube.schemas.js';
import { kindSchema, type KindSchema } from '../kube/openapi-schema.js';

const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a Kubernetes name').refine((name) => name !== '.' && name !== '..', 'must be a Kubernetes name');
const accessQuerySchema = z.object({
  verb: z.enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
  group: z.string().regex(/^(core|[a-z0-9.-]{0,253})$/, 'must be an API group, or "core"'),
  resource: z.string().regex(/^[a-z0-9]+$/, 'must be a resource name such as deployments'),
  namespace: kubeName.optional(),
  name: kubeName.optional(),
});
type AccessQuery = z.infer<typeof accessQuerySchema>;

/**
 * Read-only browsing of the clusters behind each context: discovery, lists, single objects and kind
 * schemas, each read as the signed-in user, so the cluster's RBAC decides what they see.
 */
@Controller('api/contexts')
@UseGuards(SignedInGuard)
export class ResourcesController {
  constructor(
    private readonly contexts: KubeContextsService,
    private readonly access: AccessReviews,
  ) {}

  /**
   * Whether the signed-in user may do something (a SelfSubjectAccessReview made as them), so the
   * editor can disable Save and say why before anyone types.
   */
  @Get(':context/access')
  mayI(@Param({ schema: contextParamsSchema }) params: { context: string }, @Query({ schema: accessQuerySchema }) query: AccessQuery, @CurrentActor() actor: Actor): Promise<AccessDecision> {
    const group = query.group === 'core' ? '' : query.group;
    return this.access.review(actor, params.context, { verb: query.verb, group, resource: query.resource, namespace: query.namespace, name: query.name });
  }

  /** The resource types the cluster serves (`group` is `''` for the core group; URLs here spell it `core`). */
  @Get(':context/resources')
  discovery(@Param({ schema: contextParamsSchema }) params: { context: string }, @CurrentActor() actor: Actor): Promise<DiscoveredResource[]> {
    return this.contexts.client(params.context).as(actor).discover();
  }

  @Get(':context/namespaces')
  namespaces(@Param({ schema: contextParamsSchema }) params: { context: string }, @CurrentActor() actor: Actor): Promise<KubeObject[]> {
    return this.contexts.client(params.context).as(actor).listNamespaces();
  }

  /** One list, with the resourceVersion a watch would start from. */
  @Get(':context/resources/:group/:version/:resource')
  list(
    @Param({ schema: resourceTypeParamsSchema }) params: ResourceTypeParams,
    @Query({ schema: resourceListQuerySchema }) query: { namespace?: string | undefined },
    @CurrentActor() actor: Actor,
  ): Promise<KubeList> {
    return this.contexts.client(params.context).as(actor).list(params, query.namespace);
  }

  @Get(':context/resources/:group/:version/:resource/:name')
  get(
    @Param({ schema: resourceParamsSchema }) params: ResourceParams,
    @Query({ schema: resourceListQuerySchema }) query: { namespace?: string | undefined },
    @CurrentActor() actor: Actor,
  ): Promise<KubeObject> {
    return this.contexts.client(params.context).as(actor).get(params, query.namespace, params.name);
  }

  /** The kind's JSON Schema, from the cluster's OpenAPI v3 document of its group-version. */
  @Get(':context/schemas/:group/:version/:kind')
  async schema(@Param({ schema: kindParamsSchema }) params: KindParams, @CurrentActor() actor: Actor): Promise<KindSchema> {
    const document = await this.contexts.client(params.context).as(actor).openApiV3(params.group, params.version);
    const schema = kindSchema(document, params);
    const apiVersion = params.group === 'core' ? params.version : `${params.group}/${params.version}`;
    if (schema === undefined) {
      throw new KubeApiError(404, 'NotFound', `The cluster of context "${params.context}" publishes no schema for kind ${params.kind} in ${apiVersion}`);
    }
    return schema;
  }
}
