import { HttpException, HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestLimits } from '../socket/request-limits.js';
import { requestUser } from './admin.guard.js';

/** History queries count against their user's rate (`TANDEM_LIMIT_HISTORY_PER_MINUTE`): over it, 429 with Retry-After. */
@Injectable()
export class HistoryRateGuard implements CanActivate {
  constructor(private readonly limits: RequestLimits) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const refused = await this.limits.rate('history', requestUser(http.getRequest<IncomingMessage>()), 'history query');
    if (refused === undefined) return true;
    const retryAfterMs = refused.error.details?.['retryAfterMs'];
    if (typeof retryAfterMs === 'number') http.getResponse<ServerResponse>().setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1_000)));
    throw new HttpException(refused.error.message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
