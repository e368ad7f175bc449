import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { type INestApplicationContext, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { AppLogger } from './common/app-logger';
import type { AppConfig } from './config/app-config';
import { DemoSeed } from './demo/demo-seed';
import { startEmbeddedPostgres } from './infra/embedded-postgres';
import { resolveEncryptionKey } from './infra/encryption-key';
import { resolveRedis } from './infra/redis-bootstrap';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

export interface Running {
  app: INestApplicationContext;
  config: AppConfig;
  /** The HTTP base URL (api roles only). */
  url: string | null;
  close(): Promise<void>;
}

/** Fills in what the environment left open: an embedded PostgreSQL, a Redis, a key. */
export async function resolveInfrastructure(config: AppConfig): Promise<{ config: AppConfig; stop: () => Promise<void> }> {
  let stop = async (): Promise<void> => undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort);
    databaseUrl = pg.url;
    stop = pg.stop;
  }
  const redisUrl = await resolveRedis(config.redisUrl, config.dataDir);
  const encryptionKey = resolveEncryptionKey(config.encryptionKey, config.dataDir);
  return { config: { ...config, databaseUrl, redisUrl, encryptionKey }, stop };
}

/** Starts the app for a fully resolved config (main.ts, tests and benchmarks all use this). */
export async function startApp(config: AppConfig, opts: { listen?: boolean; seed?: boolean } = {}): Promise<Running> {
  const logger = new AppLogger({ logLevels: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1) });
  const module = AppModule.forRoot(config);
  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(module, { logger });
    app.enableShutdownHooks();
    return { app, config, url: null, close: () => app.close() };
  }
  const adapter = new FastifyAdapter({ bodyLimit: 25 * 1024 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, rawBody: true });
  app.enableShutdownHooks();
  acceptRawBodies(app);
  serveClient(app, config.clientDir);
  if (opts.seed !== false) await app.get(DemoSeed).run();
  let url: string | null = null;
  if (opts.listen !== false) {
    await app.listen(config.port, '0.0.0.0');
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://127.0.0.1:${port}`;
  } else {
    await app.init();
  }
  return { app, config, url, close: () => app.close() };
}

/**
 * Bodies of any other type (an agent's upload: image/png, application/pdf...) arrive as bytes.
 * JSON and forms keep Nest's parsers (which also keep the raw bytes webhook signatures need).
 */
function acceptRawBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('*', { parseAs: 'buffer' }, (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) =>
      done(null, body),
    );
}

/** The built Angular client, with index.html for every non-API path (client-side routes). */
function serveClient(app: NestFastifyApplication, dir: string): void {
  const fastify = app.getHttpAdapter().getInstance();
  if (!existsSync(join(dir, 'index.html'))) {
    new Logger('Client').warn(`no built client in ${dir}: run "npm run build:client"; the API still works`);
    return;
  }
  // wildcard: false registers one route per built file; the catch-all below (lowest priority
  // in Fastify's router) serves index.html for the client's own routes.
  void fastify.register(fastifyStatic, { root: dir, wildcard: false, index: ['index.html'] });
  fastify.get('/*', (req, reply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith('/api/') || path.startsWith('/socket.io')) {
      return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no route for GET ${path}` });
    }
    return reply.type('text/html').sendFile('index.html');
  });
}
