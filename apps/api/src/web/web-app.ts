import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Paths owned by the gateway itself; the single-page app never answers for them. */
const GATEWAY_PREFIXES = ['/api', '/auth', '/socket.io', '/healthz', '/readyz', '/metrics'];

function ownedByGateway(path: string): boolean {
  return GATEWAY_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

interface FileResponse extends ServerResponse {
  sendFile(path: string, callback: (error?: Error) => void): void;
}

type Middleware = (req: IncomingMessage, res: FileResponse, next: (error?: unknown) => void) => void;

/** The web build names every file under assets/ by its content hash, so a name never changes content. */
export const HASHED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Siblings the web build writes next to each compressible asset, in order of preference. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** Types of the assets that have precompressed siblings (the rest are served as they are). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** The content codings an `Accept-Encoding` header allows (those with q=0 are refused). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    accepted.add(coding);
  }
  return accepted;
}

/**
 * Serves `assets/<name>` with a year-long immutable cache, and its `.br` or `.gz` sibling (written
 * at build time) to clients that accept that coding, so nothing is compressed per request.
 * Anything it does not find is left to the static handler.
 */
function serveHashedAssets(assetsDir: string): Middleware {
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !path.startsWith('/assets/')) {
      next();
      return;
    }
    const name = path.slice('/assets/'.length);
    // Vite writes a flat directory, so a name with a slash, `..` or an escape is not one of ours.
    if (!/^[\w-][\w.-]*$/.test(name) || name.includes('..')) {
      next();
      return;
    }
    const file = join(assetsDir, name);
    if (!existsSync(file)) {
      next();
      return;
    }
    res.setHeader('Cache-Control', HASHED_ASSET_CACHE_CONTROL);
    const type = CONTENT_TYPES[extname(name)];
    let served = file;
    if (type !== undefined) {
      res.setHeader('Vary', 'Accept-Encoding');
      const accepted = acceptedEncodings(req.headers['accept-encoding']);
      const variant = PRECOMPRESSED.find((p) => accepted.has(p.encoding) && existsSync(file + p.suffix));
      if (variant !== undefined) {
        res.setHeader('Content-Type', type);
        res.setHeader('Content-Encoding', variant.encoding);
        served = file + variant.suffix;
      }
    }
    res.sendFile(served, (error) => {
      if (error && !res.headersSent) next(error);
    });
  };
}

/**
 * Serves the built web app from `webDist`, and its index.html for any other GET that asks for HTML,
 * so client-side routes survive a reload. index.html is revalidated on every load (`max-age=0`),
 * so a new build is picked up at once; the hashed assets it names are cached for good.
 */
export function serveWebApp(app: NestExpressApplication, webDist: string): void {
  app.use(serveHashedAssets(join(webDist, 'assets')));
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
