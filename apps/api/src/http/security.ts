import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { checkBounds, type ValueLimits } from '@tandem/sync';
import helmet from 'helmet';
import type { ApiErrorBody } from './api-exception.filter.js';
import type { OriginPolicy } from './origin-policy.js';

type Next = (error?: unknown) => void;

/** Methods that only read: any page may send them (it cannot read the answer without CORS, which is off). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** REST bodies: the routes that take one take a few fields. */
export const REST_BODY_LIMITS: ValueLimits = { maxDepth: 16, maxBytes: 64 * 1024 };

/**
 * The Content-Security-Policy of every answer. The web app is served from the gateway's own origin
 * and so are Monaco's workers (module workers from /assets), its codicon font and the socket
 * (`'self'` covers ws: and wss: to the same host). Monaco writes its theme and decorations into
 * `<style>` elements, hence `'unsafe-inline'` for styles only; scripts run from files only.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'worker-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

function refuse(res: ServerResponse, code: 400 | 403 | 413, reason: string, message: string): void {
  const body: ApiErrorBody = { error: { code, reason, message } };
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/**
 * Host and Origin checks for every HTTP request (socket.io's handshakes are checked by the socket
 * server's `allowRequest`, as they never reach Express): a foreign Host is refused in local mode; a
 * state-changing request from a foreign page is refused always.
 */
export function originGuard(policy: OriginPolicy): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  return (req, res, next) => {
    const host = policy.hostProblem(req.headers);
    if (host !== undefined) return refuse(res, 403, 'Forbidden', host);
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const origin = policy.originProblem(req.headers);
      if (origin !== undefined) return refuse(res, 403, 'Forbidden', origin);
    }
    next();
  };
}

/** A parsed REST body is checked for size and depth (without recursion) before any route's schema sees it. */
function boundedBody(req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: Next): void {
  if (req.body === undefined) return next();
  const problem = checkBounds(req.body, REST_BODY_LIMITS);
  if (problem === undefined) return next();
  if (problem.kind === 'not-json') return refuse(res, 400, 'BadRequest', `The request body: ${problem.message}`);
  refuse(res, 413, 'RequestEntityTooLarge', `The request body is ${problem.message}`);
}

/** Host/Origin checks, security headers, and bounded JSON bodies, in that order, before any route. */
export function applySecurity(app: NestExpressApplication, policy: OriginPolicy): void {
  app.use(originGuard(policy));
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      // TLS is terminated in front of the gateway when there is TLS; HSTS belongs there (on plain
      // http://localhost it would pin every local server on that name to https).
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.useBodyParser('json', { limit: REST_BODY_LIMITS.maxBytes });
  app.use(boundedBody);
}
