import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { Initial1763600000000 } from './migrations/1763600000000-Initial';
import { Templates1763700000000 } from './migrations/1763700000000-Templates';
import { HistorySync1763800000000 } from './migrations/1763800000000-HistorySync';

export const MIGRATIONS = [Initial1763600000000, Templates1763700000000, HistorySync1763800000000];

/**
 * The one TypeORM configuration. Schema changes only through migrations, run at boot
 * (`migrationsRun`), never `synchronize`.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Query logging would print parameters: webhook bodies can carry provider tokens.
    logging: false,
    // Fail fast when PostgreSQL is down so webhooks answer 503 instead of hanging.
    extra: { max: 20, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30000 },
  };
}
