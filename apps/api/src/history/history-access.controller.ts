import { Controller, Get, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Admins, requestUser } from './admin.guard.js';

/**
 * `GET /api/history-access`: whether the caller may read the edit history. The web client asks
 * this to decide whether to offer the history page, so ordinary users never provoke a 403.
 */
@Controller('api/history-access')
export class HistoryAccessController {
  constructor(private readonly admins: Admins) {}

  @Get()
  access(@Req() request: IncomingMessage): { user: string; admin: boolean } {
    const user = requestUser(request);
    return { user, admin: this.admins.has(user) };
  }
}
