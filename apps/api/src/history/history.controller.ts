import { BadRequestException, Controller, ForbiddenException, Get, NotFoundException, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { MAX_HISTORY_PAGE, type HistoryEntry, type HistoryFilter, type HistoryPage, type HistoryQuery } from '@tandem/store';
import { AdminGuard, requestScope, type HistoryScope } from './admin.guard.js';
import { HistoryRateGuard } from './history-rate.guard.js';
import { historyFilterQuerySchema, historyIdParamsSchema, historyPageQuerySchema, type HistoryFilterQuery, type HistoryPageQuery } from './history.schemas.js';
import { HistoryService } from './history.service.js';

/** Drops the filters a query string left out, so the store sees only those given. */
function filterOf(query: HistoryFilterQuery): HistoryFilter {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as HistoryFilter;
}

/** The filter narrowed to what the caller may read: a caller allowed some contexts names one of them. */
function scoped(filter: HistoryFilter, scope: HistoryScope): HistoryFilter {
  if (scope === 'all') return filter;
  if (filter.context === undefined) {
    if (scope.length === 1 && scope[0] !== undefined) return { ...filter, context: scope[0] };
    throw new BadRequestException(`Name a context: you may read the history of ${scope.join(', ')}`);
  }
  if (!scope.includes(filter.context)) throw new ForbiddenException(`You may not read the history of context "${filter.context}" (you may read ${scope.join(', ')})`);
  return filter;
}

/**
 * The edit history for admins: `GET /api/history` (one page, newest first, `nextCursor` for the
 * next), `GET /api/history/export` (every matching entry as NDJSON), `GET /api/history/:id`.
 * Who may read which context's history is the cluster's decision; see AdminGuard.
 */
@Controller('api/history')
@UseGuards(AdminGuard, HistoryRateGuard)
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  page(@Query({ schema: historyPageQuerySchema }) query: HistoryPageQuery, @Req() request: IncomingMessage): Promise<HistoryPage> {
    const { cursor, limit, ...filters } = query;
    const page: HistoryQuery = { ...scoped(filterOf(filters), requestScope(request)), limit, ...(cursor !== undefined ? { cursor } : {}) };
    return this.history.query(page);
  }

  /** Streams page by page, so an export of the whole retention never sits in memory at once. */
  @Get('export')
  async export(@Query({ schema: historyFilterQuerySchema }) query: HistoryFilterQuery, @Req() request: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    const filter = scoped(filterOf(query), requestScope(request));
    let page = await this.history.query({ ...filter, limit: MAX_HISTORY_PAGE });
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="tandem-history.ndjson"');
    for (;;) {
      for (const entry of page.entries) {
        if (!res.write(`${JSON.stringify(entry)}\n`)) await once(res, 'drain');
        if (res.destroyed) return;
      }
      if (page.nextCursor === undefined) break;
      page = await this.history.query({ ...filter, limit: MAX_HISTORY_PAGE, cursor: page.nextCursor });
    }
    res.end();
  }

  @Get(':id')
  async entry(@Param({ schema: historyIdParamsSchema }) params: { id: string }, @Req() request: IncomingMessage): Promise<HistoryEntry> {
    const entry = await this.history.get(params.id);
    const scope = requestScope(request);
    if (entry === undefined || (scope !== 'all' && !scope.includes(entry.ref.context))) throw new NotFoundException(`History entry ${params.id} does not exist or is past the retention`);
    return entry;
  }
}
