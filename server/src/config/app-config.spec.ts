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
      baseUrl: 'https://evo.example.com',
      apiKey: 'key',
      instance: 'acme-br',
      webhookToken: 'token',
    });
  });

  it('should stop with a message naming what an Evolution channel lacks', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'evolution', COMMS_PROVIDER_BASE_URL: 'https://evo.example.com' })).toThrow(
      new ConfigError('COMMS_PROVIDER=evolution needs COMMS_PROVIDER_BASE_URL, COMMS_PROVIDER_API_KEY and COMMS_INSTANCE_ID'),
    );
  });

  it('should refuse providers this build does not have rather than run the mock instead', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'carrier-pigeon' })).toThrow(/COMMS_PROVIDER must be one of mock, evolution/);
  });

  it('should refuse a bad port, role or URL with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/ROLE must be one of all, api, worker/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL is not a valid URL/);
  });
});
