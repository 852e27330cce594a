import { StandardSchemaValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.schema.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { PinoNestLogger } from './logging/logger.js';
import { requestLogger } from './logging/request-logger.js';
import { serveWebApp } from './web/web-app.js';

/** Builds the gateway, ready to `listen`; shared by main.ts and the tests so both run the same wiring. */
export async function createApp(config: AppConfig, logger: Logger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new ExpressAdapter(), {
    logger: new PinoNestLogger(logger),
  });
  app.disable('x-powered-by');
  app.use(requestLogger(logger));
  // JSON answers (a kind's schema is ~170 KB) are compressed for clients that accept it; the web app's
  // assets are already sent precompressed and pass through untouched.
  app.use(compression({ threshold: 1024 }));
  app.useGlobalPipes(new StandardSchemaValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new IoAdapter(app));
  serveWebApp(app, config.webDist);
  return app;
}
