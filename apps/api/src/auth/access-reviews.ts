import { Inject, Injectable } from '@nestjs/common';
import { namespaceOf } from '@tandem/sync';
import { z } from 'zod';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';
import type { Actor } from '../identity/actor.js';

/** What is asked: a verb on a resource (or one object), or on a non-resource URL. */
export type AccessAttributes =
  | { readonly verb: string; readonly group: string; readonly resource: string; readonly namespace?: string | undefined; readonly name?: string | undefined; readonly subresource?: string }
  | { readonly verb: string; readonly path: string };

export interface AccessDecision {
  readonly allowed: boolean;
  /** Why not, in words a person understands, e.g. "you may not update deployments in shop". */
  readonly reason: string;
}

const reviewSchema = z.looseObject({ status: z.looseObject({ allowed: z.boolean().default(false), reason: z.string().optional() }).optional() });

const MAX_CACHED = 10_000;

function describe(attributes: AccessAttributes): string {
  if ('path' in attributes) return `${attributes.verb} ${attributes.path}`;
  const what = attributes.group === '' || attributes.group === 'core' ? attributes.resource : `${attributes.resource}.${attributes.group}`;
  const scope = namespaceOf(attributes) === undefined ? '' : ` in ${attributes.namespace}`;
  return `${attributes.verb} ${what}${attributes.subresource !== undefined ? `/${attributes.subresource}` : ''}${scope}`;
}

/**
 * Asks a context's API server whether an actor may do something: a SelfSubjectAccessReview made
 * as the actor (impersonated, or with their own token), so the gateway itself needs no right to
 * review others. Answers are reused for TANDEM_ACCESS_CACHE_MS. In dev mode everyone acts with
 * the gateway's credential, and everything it may do is allowed.
 */
@Injectable()
export class AccessReviews {
  private readonly cache = new Map<string, { readonly decision: AccessDecision; readonly until: number }>();

  constructor(
    private readonly clients: KubeContextsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async review(actor: Actor, context: string, attributes: AccessAttributes): Promise<AccessDecision> {
    if (actor.access.kind === 'gateway') return { allowed: true, reason: '' };
    const key = JSON.stringify([context, actor.user, actor.groups, actor.access.kind === 'token' ? actor.access.token.slice(-12) : '', attributes]);
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.decision;
    const spec =
      'path' in attributes
        ? { nonResourceAttributes: { verb: attributes.verb, path: attributes.path } }
        : {
            resourceAttributes: {
              verb: attributes.verb,
              group: attributes.group === 'core' ? '' : attributes.group,
              resource: attributes.resource,
              ...(attributes.namespace !== undefined && attributes.namespace !== '' ? { namespace: attributes.namespace } : {}),
              ...(attributes.name !== undefined ? { name: attributes.name } : {}),
              ...(attributes.subresource !== undefined ? { subresource: attributes.subresource } : {}),
            },
          };
    const answer = reviewSchema.safeParse(
      await this.clients
        .client(context)
        .as(actor)
        .review('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec }, `Asking whether ${actor.user} may ${describe(attributes)}`),
    );
    const allowed = answer.success && answer.data.status?.allowed === true;
    const decision: AccessDecision = { allowed, reason: allowed ? '' : `${actor.user} may not ${describe(attributes)}` };
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(key, { decision, until: Date.now() + this.config.auth.accessCacheMs });
    return decision;
  }
}
