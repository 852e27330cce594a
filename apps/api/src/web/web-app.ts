import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Paths owned by the gateway itself; the single-page app never answers for them. */
const GATEWAY_PREFIXES = ['/api', '/socket.io', '/healthz', '/readyz', '/metrics'];

function ownedByGateway(path: string): boolean {
  return GATEWAY_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

interface FileResponse extends ServerResponse {
  sendFile(path: string, callback: (error?: Error) => void): void;
}

/**
 * Serves the built web app from `webDist`, and its index.html for any other GET that asks for HTML,
 * so client-side routes survive a reload.
 */
export function serveWebApp(app: NestExpressApplication, webDist: string): void {
  app.useStaticAssets(webDist, { index: ['index.html'], fallthrough: true, maxAge: 0 });
  const indexHtml = join(webDist, 'index.html');
  app.use((req: IncomingMessage, res: FileResponse, next: (error?: unknown) => void) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || ownedByGateway(path) || !wantsHtml) {
      next();
      return;
    }
    if (!existsSync(indexHtml)) {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`The web app is not built (no ${indexHtml}); run: npx nx run web:build\n`);
      return;
    }
    res.sendFile(indexHtml, (error) => {
      if (error) next(error);
    });
  });
}
