import { FakeEvolution } from './support/fake-evolution';
import { startTestApp, type TestApp } from './support/test-app';

describe('Default channel from the environment (integration)', () => {
  let fake: FakeEvolution;
  let app: TestApp;

  beforeAll(async () => {
    fake = await new FakeEvolution().start();
    app = await startTestApp({
      SWITCHBOARD_DEMO_DATA: 'on',
      COMMS_PROVIDER: 'evolution',
      COMMS_PROVIDER_BASE_URL: fake.url,
      COMMS_PROVIDER_API_KEY: 'boot-api-key',
      COMMS_INSTANCE_ID: 'acme-br',
      COMMS_WEBHOOK_SECRET: 'boot-webhook-token',
    });
  });

  afterAll(async () => {
    await app.close();
    await fake.stop();
  });

  it('should create the configured Evolution channel at boot and no demo mock', async () => {
    const channels = (await app.get('/api/comms/channels')).body;
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({
      provider: 'evolution',
      config: { baseUrl: fake.url, instance: 'acme-br' },
      secrets: { apiKey: '••••-key', webhookToken: '••••oken' },
    });
    // The secrets themselves never leave the server.
    expect(JSON.stringify(channels)).not.toContain('boot-api-key');
    expect(JSON.stringify(channels)).not.toContain('boot-webhook-token');
  });

  it('should enforce the configured webhook token', async () => {
    const body = JSON.stringify({
      event: 'messages.upsert',
      instance: 'acme-br',
      data: { key: { id: 'BOOT-1', remoteJid: '5511987650001@s.whatsapp.net' } },
    });
    const denied = await app.postRaw('/api/comms/webhooks/evolution', body);
    expect(denied.status).toBe(401);
    const allowed = await app.postRaw('/api/comms/webhooks/evolution', body, { 'x-inbox-token': 'boot-webhook-token' });
    expect(allowed.status).toBe(200);
  });
});
