import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { resolveRedis } from '../../src/infra/redis-bootstrap';

/**
 * Tests use the machine's PostgreSQL and Redis when they answer (this machine kind runs both);
 * otherwise they start the same embedded PostgreSQL and redis-server the product itself would,
 * so `npm test` needs nothing installed by hand either.
 */
export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await answers(adminUrl))) {
    const pg = await startEmbeddedPostgres(`${process.cwd()}/.data/test`, 5440);
    const url = new URL(pg.url);
    url.pathname = '/postgres';
    process.env.TEST_DATABASE_URL = url.toString();
    (globalThis as { __stopTestPg?: () => Promise<void> }).__stopTestPg = pg.stop;
  }
  process.env.TEST_REDIS_URL ??= await resolveRedis(null, `${process.cwd()}/.data/test`);
}

async function answers(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
