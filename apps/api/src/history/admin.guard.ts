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

/** Lets through only users listed in `TANDEM_ADMINS`: 401 without an identity, 403 for everyone else. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly admins: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.admins = new Set(config.admins);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const user = userSchema.safeParse(request.headers[USER_HEADER]);
    if (!user.success) throw new UnauthorizedException(`Name yourself in the ${USER_HEADER} header (development identity)`);
    if (!this.admins.has(user.data)) throw new ForbiddenException(`The edit history is for admins only; ${user.data} is not listed in TANDEM_ADMINS`);
    return true;
  }
}
