import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';

const logger = new Logger('Redis');

export function redisAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port }, () => {
      sock.write('PING\r\n');
    });
    sock.setTimeout(1000);
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * DESIGN.md §5: without REDIS_URL use redis://127.0.0.1:6379 if it answers, else start
 * `redis-server` from the PATH on a spare port with its files under dataDir, else stop with
 * a message saying how to get one.
 */
export async function resolveRedis(redisUrl: string | null, dataDir: string): Promise<string> {
  if (redisUrl) return redisUrl;
  if (await redisAnswers('127.0.0.1', 6379)) return 'redis://127.0.0.1:6379';
  const port = 6390;
  if (await redisAnswers('127.0.0.1', port)) return `redis://127.0.0.1:${port}`;
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--daemonize', 'no'],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    child.once('error', () =>
      reject(
        new Error(
          'Redis is not reachable on 127.0.0.1:6379 and redis-server is not on the PATH. Install it (apt-get install redis-server) or set REDIS_URL.',
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers('127.0.0.1', port)) {
      logger.log(`started redis-server on 127.0.0.1:${port} (data in ${dir})`);
      return `redis://127.0.0.1:${port}`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer on port ${port}`);
}
