import { useEvolutionApp } from './support/evolution-harness';
import { postEvolution } from './support/channels';
import { fixtureText } from './support/fixtures';
import { adminQuery, eventually, type TestApp } from './support/test-app';

describe('Bad input (integration)', () => {
  const harness = useEvolutionApp();
  let app: TestApp;

  beforeAll(() => {
    app = harness.app();
  });

  const countEvents = async () => Number((await app.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_events`))[0].n);

  it('should answer malformed JSON with a 400 JSON body and store nothing', async () => {
    const before = await countEvents();
    const res = await postEvolution(app, '{"event": "messages.upsert", ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(/JSON/);
    expect(await countEvents()).toBe(before);
  });

  it('should answer an unknown provider with 404 naming it', async () => {
    const res = await app.post('/api/comms/webhooks/telegraph', { hello: 1 });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('telegraph');
  });

  it('should answer a payload missing required fields with 400 naming the field', async () => {
    const res = await postEvolution(app, {
      event: 'messages.upsert',
      instance: 'acme-br',
      data: { key: { remoteJid: '1@s.whatsapp.net' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('messages.upsert is missing data.key.id');
    const noInstance = await postEvolution(app, { event: 'messages.upsert' });
    expect(noInstance.status).toBe(400);
    expect(noInstance.body.message).toContain('instance');
  });

  it('should answer an unknown instance with 404', async () => {
    const res = await postEvolution(app, { event: 'messages.upsert', instance: 'other', data: { key: { id: 'X' } } });
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('"other"');
  });

  it('should refuse bad API requests with 400s that name the problem', async () => {
    const threads = await app.get('/api/comms/threads?limit=0');
    expect(threads.status).toBe(400);
    expect(threads.body.message).toContain('limit');
    const badCursor = await app.get('/api/comms/threads?cursor=nonsense');
    expect(badCursor.status).toBe(400);
    const notUuid = await app.get('/api/comms/threads/123');
    expect(notUuid.status).toBe(400);
    const missing = await app.get('/api/comms/threads/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    const channel = await app.post('/api/comms/channels', {
      provider: 'evolution',
      name: 'x',
      config: { baseUrl: 'ftp://x', instance: 'i' },
      secrets: { apiKey: 'k' },
    });
    expect(channel.status).toBe(400);
    const secretInConfig = await app.post('/api/comms/channels', {
      provider: 'evolution',
      name: 'x',
      config: { baseUrl: 'http://x', instance: 'i', apiKey: 'k' },
    });
    expect(secretInConfig.body.message).toContain('secret');
  });

  it('should refuse an empty or oversized message and a thread of another id with clear errors', async () => {
    await postEvolution(app, fixtureText('evolution/inbound_text.json'));
    const id = await eventually(async () => (await app.get('/api/comms/threads')).body.items[0]?.id as string | undefined, 'a thread');
    const empty = await app.post(`/api/comms/threads/${id}/messages`, { body: '   ', clientMessageId: 'x1' });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('body must not be empty');
    const huge = await app.post(`/api/comms/threads/${id}/messages`, { body: 'a'.repeat(5000), clientMessageId: 'x2' });
    expect(huge.body.message).toContain('4096');
    const noClientId = await app.post(`/api/comms/threads/${id}/messages`, { body: 'hi' });
    expect(noClientId.body.message).toContain('clientMessageId');
  });

  it('should answer 503, not 200, when PostgreSQL is unreachable, and recover by itself', async () => {
    const socket = await app.socket();
    // Cut this app off from its database: refuse new connections and end the open ones.
    await adminQuery(`ALTER DATABASE ${app.databaseName} ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [
      app.databaseName,
    ]);
    try {
      const body = JSON.parse(fixtureText('evolution/inbound_text.json'));
      body.data.key.id = 'DURING-OUTAGE-1';
      // The route cache may still know the channel; the insert must fail and say so.
      const res = await postEvolution(app, body);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    } finally {
      await adminQuery(`ALTER DATABASE ${app.databaseName} ALLOW_CONNECTIONS true`);
    }
    const health = await app.get('/health');
    expect(health.status).toBe(200);
    const body = JSON.parse(fixtureText('evolution/inbound_text.json'));
    body.data.key.id = 'AFTER-OUTAGE-1';
    const after = await postEvolution(app, body);
    expect(after.status).toBe(200);
    // The realtime listener lost its connection too; it reconnects and the same socket hears this.
    await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'AFTER-OUTAGE-1', 15_000);
  });
});
