import { Controller, Get } from '@nestjs/common';
import type { ContextInfo } from '@tandem/sync';
import { ContextsService } from './contexts.service.js';

/** `GET /api/contexts`: answered from memory, so an unreachable cluster never slows it down. */
@Controller('api/contexts')
export class ContextListController {
  constructor(private readonly contexts: ContextsService) {}

  @Get()
  list(): ContextInfo[] {
    return this.contexts.list();
  }
}
