import type { Logger } from 'pino';

/** The part of `process` the backstop listens on (a plain emitter in tests). */
export interface ProcessEvents {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
}

/**
 * The last line of defence (DESIGN rule 9): a failure that escaped every handler is logged and the
 * gateway keeps serving its other users, instead of Node ending the process. Each request already
 * turns its own failures into error acks; reaching this is a bug, so it is logged at `fatal` level
 * with its stack, and counted by anyone watching the logs.
 */
export function installProcessBackstop(events: ProcessEvents, logger: Logger): void {
  const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));
  events.on('unhandledRejection', (reason) => logger.fatal({ err: reason }, `unhandled promise rejection (the gateway keeps serving): ${describe(reason)}`));
  events.on('uncaughtException', (error) => logger.fatal({ err: error }, `uncaught exception (the gateway keeps serving): ${describe(error)}`));
}
