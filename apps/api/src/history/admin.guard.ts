import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { AccessReviews } from '../auth/access-reviews.js';
import type { Actor } from '../identity/actor.js';
import { Authenticator } from '../auth/authenticator.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { KubeContextsService } from '../kube/kube-contexts.service.js';

/** The non-resource URL whose `get` a ClusterRole grants to let someone read a context's history. */
export const HISTORY_ACCESS_PATH = '/tandem/history';

/** Which contexts' history a caller may read: every one, or those listed. */
export type HistoryScope = 'all' | readonly string[];

type HistoryRequest = IncomingMessage & { actor?: Actor; historyScope?: HistoryScope };

/** The caller, once HistoryGuard has let the request through. */
export function requestUser(request: IncomingMessage): string {
  const actor = (request as HistoryRequest).actor;
  if (actor === undefined) throw new UnauthorizedException('not signed in');
  return actor.user;
}

export function requestScope(request: IncomingMessage): HistoryScope {
  return (request as HistoryRequest).historyScope ?? [];
}

/**
 * Who may read the edit history, decided by the cluster: per context, a SelfSubjectAccessReview of
 * `get` on the non-resource URL /tandem/history (an admin grants it with a ClusterRole), or
 * membership of TANDEM_ADMIN_GROUPS for every context. In dev mode, the typed-in names listed in
 * TANDEM_ADMINS.
 */
@Injectable()
export class HistoryAccess {
  constructor(
    private readonly reviews: AccessReviews,
    private readonly clients: KubeContextsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async scope(actor: Actor): Promise<HistoryScope> {
    if (this.config.auth.mode === 'dev') return this.config.admins.includes(actor.user) ? 'all' : [];
    if (actor.groups.some((group) => this.config.auth.adminGroups.includes(group))) return 'all';
    const allowed: string[] = [];
    for (const context of this.clients.contextNames()) {
      const decision = await this.reviews.review(actor, context, { verb: 'get', path: HISTORY_ACCESS_PATH }).catch(() => ({ allowed: false }));
      if (decision.allowed) allowed.push(context);
    }
    return allowed;
  }

  denial(actor: Actor): string {
    return this.config.auth.mode === 'dev'
      ? `The edit history is for admins only; ${actor.user} is not listed in TANDEM_ADMINS`
      : `The edit history is for those the cluster lets get ${HISTORY_ACCESS_PATH} (or members of TANDEM_ADMIN_GROUPS); ${actor.user} may read it in no context`;
  }
}

/** Lets through signed-in users who may read some context's history: 401 without a sign-in, 403 otherwise. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly access: HistoryAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<HistoryRequest>();
    const result = await this.authenticator.authenticate(request, undefined);
    if ('rejection' in result) throw new UnauthorizedException(result.rejection);
    const scope = await this.access.scope(result.actor);
    if (scope !== 'all' && scope.length === 0) throw new ForbiddenException(this.access.denial(result.actor));
    request.actor = result.actor;
    request.historyScope = scope;
    return true;
  }
}
