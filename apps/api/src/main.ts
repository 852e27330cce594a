import 'reflect-metadata';
import { InvalidConfigError, loadConfig } from './config/load-config.js';
import type { AppConfig } from './config/config.schema.js';
import { createLogger } from './logging/logger.js';
import { installProcessBackstop } from './logging/process-backstop.js';

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  installProcessBackstop(process, logger);
  // Loaded after the config is valid, so a bad variable is reported at once, not after Nest has loaded.
  const { createApp } = await import('./app.js');
  const app = await createApp(config, logger);
  // process.exit(0) after the hooks ran (rather than re-raising the signal) so a clean stop exits 0 and pino flushes.
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  // Plain stdout lines (not JSON logs): they are what a person running `npm start` reads.
  process.stdout.write(`Tandem is running at http://localhost:${port}\n`);
  if (config.sandbox.enabled) {
    const path = config.sandbox.kubeconfigPath;
    process.stdout.write(`Sandbox kubeconfig: ${path}  (try: kubectl --kubeconfig ${path} get deploy -n shop)\n`);
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Tandem failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
