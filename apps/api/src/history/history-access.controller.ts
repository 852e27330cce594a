import { Controller, Get, Req, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Authenticator } from '../auth/authenticator.js';
import { HistoryAccess } from './admin.guard.js';

/**
 * `GET /api/history-access`: whether the caller may read the edit history (and of which contexts).
 * The web client asks this to decide whether to offer the history page, so others never provoke a 403.
 */
@Controller('api/history-access')
export class HistoryAccessController {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly history: HistoryAccess,
  ) {}

  @Get()
  async access(@Req() request: IncomingMessage): Promise<{ user: string; admin: boolean; contexts: 'all' | readonly string[] }> {
    const result = await this.authenticator.authenticate(request, undefined);
    if ('rejection' in result) throw new UnauthorizedException(result.rejection);
    const contexts = await this.history.scope(result.actor);
    return { user: result.actor.user, admin: contexts === 'all' || contexts.length > 0, contexts };
  }
}
