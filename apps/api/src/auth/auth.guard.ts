import { createParamDecorator, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Actor } from '../identity/actor.js';
import { Authenticator } from './authenticator.js';

type ActorRequest = IncomingMessage & { actor?: Actor };

/**
 * REST routes act for the signed-in user: the guard authenticates the request as the socket
 * handshake does (401 otherwise) and hands the Actor to the handler through `@CurrentActor()`.
 * In dev mode a request that names nobody acts as `dev`, with the gateway's credential.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ActorRequest>();
    const result = await this.authenticator.authenticate(request, undefined);
    if ('actor' in result) {
      request.actor = result.actor;
      return true;
    }
    if (this.authenticator.mode === 'dev' && request.headers['x-tandem-user'] === undefined) {
      request.actor = { user: 'dev', groups: [], access: { kind: 'gateway' } };
      return true;
    }
    throw new UnauthorizedException(result.rejection);
  }
}

/** The Actor that SignedInGuard authenticated. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<ActorRequest>().actor;
  if (actor === undefined) throw new UnauthorizedException('not signed in');
  return actor;
});
