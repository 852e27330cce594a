import { Controller, Get, NotFoundException, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import { MAX_HISTORY_PAGE, type HistoryEntry, type HistoryFilter, type HistoryPage, type HistoryQuery } from '@tandem/store';
import { AdminGuard } from './admin.guard.js';
import { HistoryRateGuard } from './history-rate.guard.js';
import { historyFilterQuerySchema, historyIdParamsSchema, historyPageQuerySchema, type HistoryFilterQuery, type HistoryPageQuery } from './history.schemas.js';
import { HistoryService } from './history.service.js';

/** Drops the filters a query string left out, so the store sees only those given. */
function filterOf(query: HistoryFilterQuery): HistoryFilter {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as HistoryFilter;
}

/**
 * The edit history for admins: `GET /api/history` (one page, newest first, `nextCursor` for the
 * next), `GET /api/history/export` (every matching entry as NDJSON), `GET /api/history/:id`.
 * Callers name themselves in `X-Tandem-User` (development identity); see AdminGuard.
 */
@Controller('api/history')
@UseGuards(AdminGuard, HistoryRateGuard)
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  page(@Query({ schema: historyPageQuerySchema }) query: HistoryPageQuery): Promise<HistoryPage> {
    const { cursor, limit, ...filters } = query;
    const page: HistoryQuery = { ...filterOf(filters), limit, ...(cursor !== undefined ? { cursor } : {}) };
    return this.history.query(page);
  }

  /** Streams page by page, so an export of the whole retention never sits in memory at once. */
  @Get('export')
  async export(@Query({ schema: historyFilterQuerySchema }) query: HistoryFilterQuery, @Res() res: ServerResponse): Promise<void> {
    const filter = filterOf(query);
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
  async entry(@Param({ schema: historyIdParamsSchema }) params: { id: string }): Promise<HistoryEntry> {
    const entry = await this.history.get(params.id);
    if (entry === undefined) throw new NotFoundException(`History entry ${params.id} does not exist or is past the retention`);
    return entry;
  }
}
