import { Controller, Get, Res } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** Minimal response surface, so the controller needs no Express types. */
interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus scrape endpoint (text exposition format). */
  @Get('metrics')
  async scrape(@Res({ passthrough: true }) res: HeaderResponse): Promise<string> {
    const body = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    return body;
  }
}
