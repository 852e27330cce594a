import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';

/**
 * The development identity of a REST call: the `X-Tandem-User` header, as the socket handshake
 * names its user. Real authentication replaces this header and keeps the admin check.
 */
export const USER_HEADER = 'x-tandem-user';

const userSchema = z.string().trim().min(1).max(253);

/** The caller's development identity; 401 when the request does not name one. */
export function requestUser(request: IncomingMessage): string {
  const user = userSchema.safeParse(request.headers[USER_HEADER]);
  if (!user.success) throw new UnauthorizedException(`Name yourself in the ${USER_HEADER} header (development identity)`);
  return user.data;
}

/** Who may read the edit history: the users listed in `TANDEM_ADMINS`. */
@Injectable()
export class Admins {
  private readonly admins: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.admins = new Set(config.admins);
  }

  has(user: string): boolean {
    return this.admins.has(user);
  }
}

/** Lets through only users listed in `TANDEM_ADMINS`: 401 without an identity, 403 for everyone else. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly admins: Admins) {}

  canActivate(context: ExecutionContext): boolean {
    const user = requestUser(context.switchToHttp().getRequest<IncomingMessage>());
    if (!this.admins.has(user)) throw new ForbiddenException(`The edit history is for admins only; ${user} is not listed in TANDEM_ADMINS`);
    return true;
  }
}
