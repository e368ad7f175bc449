import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { redisAnswers } from '../src/infra/redis-bootstrap';
import { eventually, startTestApp, type TestApp } from './support/test-app';

/** A private redis-server this test may kill and restart without disturbing other test files. */
class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  static async create(): Promise<PrivateRedis> {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    return new PrivateRedis(port);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await eventually(() => redisAnswers('127.0.0.1', this.port), 'redis-server up');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.child = null;
  }
}

describe('Redis restart (integration)', () => {
  let redis: PrivateRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    await redis.start();
    app = await startTestApp({ REDIS_URL: redis.url, COMMS_SWEEPER_INTERVAL_MS: '200', COMMS_SWEEPER_STALE_MS: '300' });
    await app.post('/api/comms/channels', { provider: 'mock', name: 'Mock' });
  });

  afterAll(async () => {
    await app?.close();
    await redis?.kill();
  });

  it('should acknowledge only stored webhooks while Redis is down and deliver them live once it is back', async () => {
    const socket = await app.socket();
    await app.post('/api/comms/webhooks/mock', {
      event: 'message',
      id: 'before-outage',
      from: '+447700900123',
      name: 'Oliver',
      text: 'hello',
    });
    const { threadId } = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'before-outage');
    await redis.kill();

    const res = await app.post('/api/comms/webhooks/mock', {
      event: 'message',
      id: 'during-redis-outage',
      from: '+447700900123',
      name: 'Oliver',
      text: 'sent while Redis was down',
    });
    // Stored in PostgreSQL, so acknowledged: the provider must not send it again.
    expect(res.status).toBe(200);
    const [row] = await app.sql(`SELECT state FROM webhook_events WHERE id = $1`, [res.body.eventId]);
    expect(row.state).toBe('pending');

    // A reply written during the outage is stored pending and sent once the queue is back.
    const send = await app.post(`/api/comms/threads/${threadId}/messages`, {
      body: 'reply during the outage',
      clientMessageId: randomUUID(),
    });
    expect(send.status).toBe(202);

    await redis.start();
    // The same socket, never reconnected: the sweeper re-queues the stored event, ingest runs,
    // and the commit's notification reaches the socket.
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'during-redis-outage', 20_000);
    expect(ev.message.body).toBe('sent while Redis was down');
    expect(socket.socket.connected).toBe(true);
    await socket.waitFor('status_update', (d) => d.messageId === send.body.id && d.status === 'sent', 20_000);
    const stored = await app.sql(`SELECT count(*)::int AS n FROM messages WHERE provider_message_id = 'during-redis-outage'`);
    expect(stored[0].n).toBe(1);
  });
});
