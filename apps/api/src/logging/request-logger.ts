import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Probes hit these every few seconds; logging them would drown the useful lines. */
const UNLOGGED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Express-compatible middleware logging one line per finished request (method, path, status, duration). */
export function requestLogger(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (UNLOGGED_PATHS.has(path)) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      // Only the path is logged: query strings may carry tokens in future endpoints.
      logger[level]({ method: req.method, path, status: res.statusCode, durationMs: Math.round(durationMs) }, 'request');
    });
    next();
  };
}
