import { Logger } from '@nestjs/common';
import { resolveInfrastructure, startApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const infra = await resolveInfrastructure(config);
  const running = await startApp(infra.config);
  const logger = new Logger('Switchboard');
  if (running.url) logger.log(`Switchboard (${config.role}) on ${infra.config.publicBaseUrl} — open it in a browser`);
  else logger.log(`Switchboard worker running`);
  const shutdown = async (): Promise<void> => {
    await running.close().catch(() => undefined);
    await infra.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
