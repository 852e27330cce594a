import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(terminal: boolean): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const destination = new PassThrough();
  let text = '';
  destination.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { logger: createLogger('info', { terminal, destination }), text: () => text };
}

describe(createLogger.name, () => {
  it('writes readable lines on a terminal: time, level, [context] and message, other fields below', () => {
    const { logger, text } = capture(true);
    logger.info({ context: 'ContextsService', contexts: 2 }, 'Following 1 kubeconfig file(s)');
    expect(text()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[ContextsService\] Following 1 kubeconfig file\(s\)\n\s+contexts: 2\n$/);
  });

  it('writes JSON lines elsewhere, with credentials redacted', () => {
    const { logger, text } = capture(false);
    logger.info({ req: { headers: { authorization: 'Bearer secret-token' } } }, 'request');
    const line = JSON.parse(text()) as { msg: string; level: number; req: { headers: { authorization: string } } };
    expect(line).toMatchObject({ msg: 'request', level: 30, req: { headers: { authorization: '[redacted]' } } });
  });
});
