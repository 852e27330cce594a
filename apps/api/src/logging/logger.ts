import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import type { LogLevel } from '../config/config.schema.js';

/** Header and field names that may carry credentials; their values never reach a log line. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
  '*.clientKey',
  '*.client-key-data',
  '*.token-data',
];

/**
 * JSON lines for machines (a container's stdout, a file, a pipe); readable lines when a person
 * watches a terminal (`npm start`): time, level, the Nest context, the message, then other fields.
 */
export function createLogger(level: LogLevel, output: { readonly terminal?: boolean; readonly destination?: NodeJS.WritableStream } = {}): Logger {
  const options = { level, base: { service: 'tandem-api' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const terminal = output.terminal ?? process.stdout.isTTY === true;
  if (!terminal) return output.destination === undefined ? pino(options) : pino(options, output.destination);
  // Synchronous, so the last lines before an exit (a config error, a crash) are not lost.
  const pretty = prettyStream({
    colorize: output.destination === undefined,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    ...(output.destination === undefined ? {} : { destination: output.destination }),
  });
  return pino(options, pretty);
}

/** Routes Nest's own log calls (bootstrap, route mapping, exceptions) into the same pino stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('trace', message, optional);
  }
  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, optional: unknown[]): void {
    // Nest passes the logging class's name as the last argument, and a stack before it for errors.
    const context = typeof optional.at(-1) === 'string' ? String(optional.at(-1)) : undefined;
    const stack = level === 'error' && typeof optional[0] === 'string' && optional.length > 1 ? optional[0] : undefined;
    const fields = { context, stack };
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'string') this.logger[level](fields, message);
    else this.logger[level]({ ...fields, detail: message });
  }
}
