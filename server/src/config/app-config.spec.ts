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

  it('should map the hand-off names onto a Twilio channel with a sending number', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'twilio',
      COMMS_TWILIO_ACCOUNT_SID: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0',
      COMMS_PROVIDER_API_KEY: '9c1d5e7f3a2b4c6d8e0f1a3b5c7d9e1f',
      COMMS_TWILIO_FROM: '+447700900500',
    });
    expect(sut.bootChannel).toEqual({
      provider: 'twilio',
      name: 'SMS (+447700900500)',
      routingKey: '+447700900500',
      config: { accountSid: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0', from: '+447700900500' },
      secrets: { authToken: '9c1d5e7f3a2b4c6d8e0f1a3b5c7d9e1f' },
    });
  });

  it('should route a Twilio channel by its Messaging Service and keep a custom API base URL', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'twilio',
      COMMS_TWILIO_ACCOUNT_SID: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0',
      COMMS_PROVIDER_API_KEY: 'token',
      COMMS_TWILIO_FROM: '+14155550100',
      COMMS_TWILIO_MESSAGING_SERVICE_SID: 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9',
      COMMS_PROVIDER_BASE_URL: 'https://twilio-proxy.example.com/',
    });
    expect(sut.bootChannel).toEqual({
      provider: 'twilio',
      name: 'SMS (+14155550100)',
      routingKey: 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9',
      config: {
        accountSid: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0',
        from: '+14155550100',
        messagingServiceSid: 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9',
        apiBaseUrl: 'https://twilio-proxy.example.com',
      },
      secrets: { authToken: 'token' },
    });
  });

  it('should stop with a message naming what a Twilio channel lacks', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'twilio', COMMS_PROVIDER_API_KEY: 'token' })).toThrow(
      new ConfigError('COMMS_PROVIDER=twilio needs COMMS_TWILIO_ACCOUNT_SID, COMMS_TWILIO_FROM or COMMS_TWILIO_MESSAGING_SERVICE_SID'),
    );
  });

  it('should refuse a Twilio sending number that is not E.164', () => {
    expect(() =>
      loadConfig({
        COMMS_PROVIDER: 'twilio',
        COMMS_TWILIO_ACCOUNT_SID: 'AC1',
        COMMS_PROVIDER_API_KEY: 't',
        COMMS_TWILIO_FROM: '07700 900500',
      }),
    ).toThrow(new ConfigError('COMMS_TWILIO_FROM must be an E.164 number such as +14155550100, got "07700 900500"'));
  });

  it('should map the hand-off names onto an Android SMS gateway channel (password = API key, signing key = webhook secret)', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'android_sms',
      COMMS_PROVIDER_BASE_URL: 'http://192.168.1.50:8080/',
      COMMS_ANDROID_DEVICE_ID: 'ffffffffceb0b1db0000018e937c815b',
      COMMS_ANDROID_USERNAME: 'sms',
      COMMS_PROVIDER_API_KEY: 'phone-password',
      COMMS_WEBHOOK_SECRET: 'phone-signing-key',
    });
    expect(sut.bootChannel).toEqual({
      provider: 'android_sms',
      name: 'Android SMS (ffffffffceb0b1db0000018e937c815b)',
      routingKey: 'ffffffffceb0b1db0000018e937c815b',
      config: { baseUrl: 'http://192.168.1.50:8080', deviceId: 'ffffffffceb0b1db0000018e937c815b', username: 'sms' },
      secrets: { password: 'phone-password', signingKey: 'phone-signing-key' },
    });
  });

  it('should leave the Android signing key out when COMMS_WEBHOOK_SECRET is unset', () => {
    const sut = loadConfig({
      COMMS_PROVIDER: 'android_sms',
      COMMS_PROVIDER_BASE_URL: 'http://192.168.1.50:8080',
      COMMS_ANDROID_DEVICE_ID: 'dev-1',
      COMMS_ANDROID_USERNAME: 'sms',
      COMMS_PROVIDER_API_KEY: 'phone-password',
    });
    expect(sut.bootChannel?.secrets).toEqual({ password: 'phone-password' });
  });

  it('should stop with a message naming what an Android SMS channel lacks', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'android_sms', COMMS_PROVIDER_BASE_URL: 'http://192.168.1.50:8080' })).toThrow(
      new ConfigError('COMMS_PROVIDER=android_sms needs COMMS_ANDROID_DEVICE_ID, COMMS_ANDROID_USERNAME, COMMS_PROVIDER_API_KEY'),
    );
  });

  it('should wait 15 s of silence before calling a history sync done, unless configured', () => {
    expect(loadConfig({}).historySync).toEqual({ idleMs: 15000 });
    expect(loadConfig({ COMMS_HISTORY_SYNC_IDLE_MS: '800' }).historySync).toEqual({ idleMs: 800 });
    expect(() => loadConfig({ COMMS_HISTORY_SYNC_IDLE_MS: '5' })).toThrow(/COMMS_HISTORY_SYNC_IDLE_MS must be an integer >= 100/);
  });

  it('should refuse providers this build does not have rather than run the mock instead', () => {
    expect(() => loadConfig({ COMMS_PROVIDER: 'carrier-pigeon' })).toThrow(
      /COMMS_PROVIDER must be one of mock, evolution, waha, meta_cloud, twilio/,
    );
  });

  it('should refuse a bad port, role or URL with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/ROLE must be one of all, api, worker/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'not a url' })).toThrow(/PUBLIC_BASE_URL is not a valid URL/);
  });
});
