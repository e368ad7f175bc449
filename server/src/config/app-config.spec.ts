import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('should give a working quick start with no environment at all', () => {
    const sut = loadConfig({}, '/srv/app');
    expect(sut).toMatchObject({
      role: 'all',
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      databaseUrl: null,
      redisUrl: null,
      dataDir: '/srv/app/.data',
      defaultCountry: 'BR',
      bootChannel: null,
      demoData: true,
    });
  });

  it('should read the original hand-off names for a default Evolution channel', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'evolution',
      COMMS_PROVIDER_BASE_URL: 'https://evo.example.com/',
      COMMS_PROVIDER_API_KEY: 'key',
      COMMS_INSTANCE_ID: 'acme-br',
      COMMS_WEBHOOK_SECRET: 'token',
    });
    expect(sut.bootChannel).toEqual({
      provider: 'evolution',
      name: 'WhatsApp (acme-br)',
      routingKey: 'acme-br',
      config: { baseUrl: 'https://evo.example.com', instance: 'acme-br' },
      secrets: { apiKey: 'key', webhookToken: 'token' },
    });
  });

  it('should stop with a message naming what an Evolution channel lacks', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'evolution', COMMS_PROVIDER_BASE_URL: 'https://evo.example.com' })).toThrow(
      new ConfigError('COMMS_PROVIDER=evolution needs COMMS_PROVIDER_API_KEY, COMMS_INSTANCE_ID'),
    );
  });

  it('should map the hand-off names onto a Meta Cloud API channel', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'meta_cloud',
      COMMS_PHONE_NUMBER_ID: '109876543210987',
      COMMS_PROVIDER_API_KEY: 'EAAG-token',
      COMMS_WEBHOOK_SECRET: 'app-secret',
      COMMS_META_VERIFY_TOKEN: 'verify-me',
    });
    expect(sut.bootChannel).toEqual({
      provider: 'meta',
      name: 'WhatsApp Cloud (109876543210987)',
      routingKey: '109876543210987',
      config: { phoneNumberId: '109876543210987' },
      secrets: { accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'verify-me' },
    });
  });

  it('should refuse providers this build does not have rather than run the mock instead', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'carrier-pigeon' })).toThrow(
      /COMMS_PROVIDER must be one of mock, evolution, waha, meta_cloud/,
    );
  });

  it('should refuse a bad port, role or URL with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/ROLE must be one of all, api, worker/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL is not a valid URL/);
  });
});
