import { StandardSchemaValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.schema.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { OriginPolicy } from './http/origin-policy.js';
import { applySecurity } from './http/security.js';
import { PinoNestLogger } from './logging/logger.js';
import { requestLogger } from './logging/request-logger.js';
import { GuardedIoAdapter } from './realtime/guarded-io-adapter.js';
import { serveWebApp } from './web/web-app.js';

/** Builds the gateway, ready to `listen`; shared by main.ts and the tests so both run the same wiring. */
export async function createApp(config: AppConfig, logger: Logger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new ExpressAdapter(), {
    logger: new PinoNestLogger(logger),
    // Registered by applySecurity, with a size limit and a depth check after it.
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.use(requestLogger(logger));
  const policy = new OriginPolicy(config.http);
  applySecurity(app, policy);
  // JSON answers (a kind's schema is ~170 KB) are compressed for clients that accept it; the web app's
  // assets are already sent precompressed and pass through untouched.
  app.use(compression({ threshold: 1024 }));
  app.useGlobalPipes(new StandardSchemaValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new GuardedIoAdapter(app, policy));
  serveWebApp(app, config.webDist);
  return app;
}
