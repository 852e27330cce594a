#!/usr/bin/env node
/**
 * `npm run sandbox -- --port <port> --kubeconfig <path> [--churn <ms>]`: runs the sandbox
 * until SIGINT/SIGTERM and writes a kubeconfig for kubectl.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from './index.js';
import { DEMO_NAMESPACE } from './server/seed.js';

const USAGE = `usage: npm run sandbox -- [--port <port>] [--kubeconfig <path>] [--churn <ms>] [--no-seed]

  --port <port>        port on 127.0.0.1 (default 0: a free port, printed at start)
  --kubeconfig <path>  where to write the kubeconfig (default ${join(tmpdir(), 'tandem', 'sandbox.kubeconfig')})
  --churn <ms>         update the status of the demo Deployments every <ms> milliseconds
  --no-seed            start without demo data
`;

interface CliOptions {
  port: number;
  kubeconfig: string;
  churnMs: number;
  seed: boolean;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function integer(value: string | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) usageError(`${flag} must be an integer from 0 to ${max}, got "${value}"`);
  return Number(value);
}

function parseCli(argv: string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  } catch (error) {
    usageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    port: integer(values.port, '--port', 65535) ?? 0,
    kubeconfig: resolve(values.kubeconfig ?? join(tmpdir(), 'tandem', 'sandbox.kubeconfig')),
    churnMs: integer(values.churn, '--churn', 86_400_000) ?? 0,
    seed: !values['no-seed'],
  };
}

const FLAGS = {
  port: { type: 'string' },
  kubeconfig: { type: 'string' },
  churn: { type: 'string' },
  'no-seed': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2));
  const sandbox = await startSandbox({ port: options.port, seed: options.seed, churnMs: options.churnMs });
  // With demo data, `kubectl --kubeconfig <path> get deploy` shows the demo namespace.
  await sandbox.writeKubeconfig(options.kubeconfig, options.seed ? { namespace: DEMO_NAMESPACE } : {});
  process.stdout.write(`Tandem sandbox listening on ${sandbox.url}\n`);
  if (options.port === 0) process.stdout.write(`port: ${sandbox.port}\n`);
  process.stdout.write(`kubeconfig: ${options.kubeconfig}\n`);
  process.stdout.write(`try: kubectl --kubeconfig ${options.kubeconfig} get deploy -n ${DEMO_NAMESPACE}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error while closing the sandbox: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`the sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
