import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort, RouteServer } from '../../../test/support/route-server';
import { ProviderError } from '../provider-error';
import type { ChannelContext, OutboundText } from '../provider.types';
import { ANDROID_SMS_WEBHOOK_EVENTS, AndroidSmsProvider, webhookId } from './android-sms.provider';

const TESTDATA = join(__dirname, 'testdata');
const fixture = (file: string): any => JSON.parse(readFileSync(join(TESTDATA, file), 'utf8'));

const DEVICE_ID = 'ffffffffceb0b1db0000018e937c815b';
const CALLBACK = 'https://inbox.example.com/api/comms/webhooks/android_sms';
/** `sms:phone-password` in Basic auth. */
const BASIC = `Basic ${Buffer.from('sms:phone-password').toString('base64')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function channel(baseUrl: string): ChannelContext {
  return {
    id: 'channel-1',
    provider: 'android_sms',
    config: { baseUrl, deviceId: DEVICE_ID, username: 'sms' },
    secrets: { password: 'phone-password', signingKey: 'key' },
    callbackUrl: CALLBACK,
  };
}

function outbound(over: Partial<OutboundText> = {}): OutboundText {
  return { to: '+16505551212', address: '+16505551212', text: 'Hi! Your order shipped today.', replyTo: null, ...over };
}

async function caught(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

describe(AndroidSmsProvider.name, () => {
  // Ktor's answer to an unknown route on the phone.
  const phone = new RouteServer(() => ({ message: 'Not Found' }));
  let sut: AndroidSmsProvider;

  beforeAll(() => phone.start());
  afterAll(() => phone.stop());

  beforeEach(() => {
    phone.reset();
    sut = new AndroidSmsProvider({ defaultCountry: 'US' });
  });

  describe('rawAddressForPhone', () => {
    it('should send to the E.164 number as it is', () => {
      expect(sut.rawAddressForPhone('+16505551212')).toBe('+16505551212');
    });
  });

  describe('sendText', () => {
    it('should POST one text to /message with Basic auth, our id, the device id and a delivery report', async () => {
      phone.on('POST /message', { status: 202, body: { ...fixture('send_message_response.json'), id: 'echoed-id' } });

      await sut.sendText(channel(phone.url), outbound());

      expect(phone.requests).toHaveLength(1);
      const [req] = phone.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/message');
      expect(req.headers.authorization).toBe(BASIC);
      expect(req.headers['content-type']).toBe('application/json');
      const { id, ...rest } = req.body as { id: string };
      expect(id).toMatch(UUID);
      const { id: _placeholder, ...expected } = fixture('send_message_request.json');
      expect(rest).toEqual(expected);
    });

    it('should use our message id as the send id, so the phone skips a retried send', async () => {
      phone.on('POST /message', { status: 202, body: fixture('send_message_response.json') });
      const messageId = '0f8fad5b-d9cb-469f-a165-70867728950e';
      await sut.sendText(channel(phone.url), outbound({ messageId }));
      await sut.sendText(channel(phone.url), outbound({ messageId }));
      expect(phone.requests.map((r) => (r.body as { id: string }).id)).toEqual([messageId, messageId]);
    });

    it("should take the provider message id from the phone's answer", async () => {
      phone.on('POST /message', { status: 202, body: { ...fixture('send_message_response.json'), id: 'zXDYfTmTVf3iMd16zzdBj' } });
      expect(await sut.sendText(channel(phone.url), outbound())).toEqual({ providerMessageId: 'zXDYfTmTVf3iMd16zzdBj' });
    });

    it('should fall back to the id it sent when the answer has none', async () => {
      phone.on('POST /message', { status: 202, body: {} });
      const result = await sut.sendText(channel(phone.url), outbound());
      expect(result.providerMessageId).toBe((phone.requests[0].body as { id: string }).id);
    });

    it('should use a new id for every send, so the phone never drops a repeated text as already known', async () => {
      phone.on('POST /message', { status: 202, body: {} });
      await sut.sendText(channel(phone.url), outbound());
      await sut.sendText(channel(phone.url), outbound());
      const [a, b] = phone.requests.map((r) => (r.body as { id: string }).id);
      expect(a).not.toBe(b);
    });

    it('should refuse an address that is not a phone number without calling the phone', async () => {
      const err = await caught(sut.sendText(channel(phone.url), outbound({ to: 'lid:123', address: 'lid:123' })));
      expect(err).toMatchObject({ code: 'invalid_recipient', retryable: false });
      expect(phone.requests).toHaveLength(0);
    });

    it.each([
      [401, { message: 'Unauthorized' }, 'auth', false],
      [400, { message: 'Invalid phone number: +1650' }, 'invalid_recipient', false],
      [400, { message: 'Invalid device ID' }, 'bad_request', false],
      [500, { message: 'Can not send: database is locked' }, 'unavailable', true],
    ])('should map HTTP %s %j to %s', async (status, body, code, retryable) => {
      phone.on('POST /message', { status, body });
      const err = await caught(sut.sendText(channel(phone.url), outbound()));
      expect(err).toMatchObject({ code, retryable, providerCode: String(status) });
      expect(err.message).toContain((body as { message: string }).message);
    });

    it('should report an unreachable phone as retryable', async () => {
      const err = await caught(sut.sendText(channel(`http://127.0.0.1:${await closedPort()}`), outbound()));
      expect(err).toMatchObject({ code: 'unavailable', retryable: true });
    });
  });

  describe('fetchStatus', () => {
    const PATH = 'GET /message/zXDYfTmTVf3iMd16zzdBj';

    it('should read a failed message with its recipient error', async () => {
      phone.on(PATH, { status: 200, body: fixture('message_state_failed.json') });
      const polled = await sut.fetchStatus(channel(phone.url), 'zXDYfTmTVf3iMd16zzdBj');
      expect(phone.requests[0].headers.authorization).toBe(BASIC);
      expect(polled?.status).toBe('failed');
      expect(polled?.error).toMatchObject({ code: 'unavailable', message: 'Send result: RESULT_ERROR_NO_SERVICE', retryable: false });
    });

    it.each([
      ['Pending', 'pending'],
      ['Processed', 'pending'],
      ['Sent', 'sent'],
      ['Delivered', 'delivered'],
    ])('should map state %s to %s', async (state, status) => {
      phone.on(PATH, { status: 200, body: { id: 'zXDYfTmTVf3iMd16zzdBj', state, recipients: [] } });
      expect(await sut.fetchStatus(channel(phone.url), 'zXDYfTmTVf3iMd16zzdBj')).toEqual({ status, error: null });
    });

    it('should answer null for a message the phone no longer has', async () => {
      expect(await sut.fetchStatus(channel(phone.url), 'zXDYfTmTVf3iMd16zzdBj')).toBeNull();
    });
  });

  describe('testConnection', () => {
    const ours = (event: string) => ({ id: webhookId(CALLBACK, event), url: CALLBACK, event });

    beforeEach(() => {
      phone.on('GET /health', { status: 200, body: fixture('health_pass.json') });
      phone.on('GET /webhooks', { status: 200, body: fixture('webhooks_list.json') });
      phone.on('GET /device', { status: 200, body: [{ id: DEVICE_ID, name: 'Google/sdk_gphone64', createdAt: '2024-06-01T00:00:00Z' }] });
      phone.on('POST /webhooks', { status: 201, body: {} });
    });

    it('should check health without credentials and register the missing webhooks, one per event', async () => {
      const checks = await sut.testConnection(channel(phone.url), CALLBACK);

      expect(checks).toEqual([
        { name: 'connection', ok: true, state: 'connected', detail: 'SMS Gateway 1.0.0: pass, battery 94%' },
        { name: 'device', ok: true, detail: `device id ${DEVICE_ID}` },
        { name: 'webhook', ok: true, detail: `registered sms:sent, sms:delivered, sms:failed, system:ping -> ${CALLBACK}` },
      ]);
      const health = phone.requests.find((r) => r.path === '/health')!;
      expect(health.headers.authorization).toBeUndefined();
      const posts = phone.requests.filter((r) => r.method === 'POST');
      // sms:received is already registered to our URL; the sms:sent one in the list points elsewhere.
      expect(posts.map((r) => r.body)).toEqual([ours('sms:sent'), ours('sms:delivered'), ours('sms:failed'), ours('system:ping')]);
      expect(posts.every((r) => r.path === '/webhooks' && r.headers.authorization === BASIC)).toBe(true);
    });

    it('should add nothing when every event already reaches us', async () => {
      phone.on('GET /webhooks', { status: 200, body: ANDROID_SMS_WEBHOOK_EVENTS.map((e) => ({ ...ours(e), id: `theirs-${e}` })) });
      const checks = await sut.testConnection(channel(phone.url), CALLBACK);
      expect(checks[2]).toEqual({ name: 'webhook', ok: true, detail: `webhooks already registered: ${CALLBACK}` });
      expect(phone.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    });

    it('should derive the same registration id for the same URL and event, and another for another URL', () => {
      expect(webhookId(CALLBACK, 'sms:received')).toBe(webhookId(CALLBACK, 'sms:received'));
      expect(webhookId(CALLBACK, 'sms:received')).not.toBe(webhookId(CALLBACK, 'sms:sent'));
      expect(webhookId('https://other.example.com/hook', 'sms:received')).not.toBe(webhookId(CALLBACK, 'sms:received'));
    });

    it('should report refused credentials as needs_reauth', async () => {
      phone.on('GET /webhooks', { status: 401, body: { message: 'Unauthorized' } });
      expect(await sut.testConnection(channel(phone.url), CALLBACK)).toEqual([
        { name: 'connection', ok: false, state: 'needs_reauth', detail: 'the phone refused the username or password (401)' },
      ]);
    });

    it('should report an unreachable phone as disconnected', async () => {
      const [check, ...rest] = await sut.testConnection(channel(`http://127.0.0.1:${await closedPort()}`), CALLBACK);
      expect(rest).toHaveLength(0);
      expect(check).toMatchObject({ name: 'connection', ok: false, state: 'disconnected' });
      expect(check.detail).toMatch(/^SMS Gateway health unreachable/);
    });

    it('should report a failing phone as reachable but not ok, naming what fails', async () => {
      phone.on('GET /health', { status: 500, body: fixture('health_fail.json') });
      const [check] = await sut.testConnection(channel(phone.url), CALLBACK);
      expect(check).toEqual({
        name: 'connection',
        ok: false,
        state: 'connected',
        detail: 'SMS Gateway 1.0.0: fail, battery 7%, not passing: messages:failed fail, battery:level fail',
      });
    });

    it('should flag a device id that is not the phone’s (its webhooks would never reach the channel)', async () => {
      phone.on('GET /device', { status: 200, body: [{ id: 'ffffffff00000000aaaaaaaaaaaaaaaa', name: 'other' }] });
      const checks = await sut.testConnection(channel(phone.url), CALLBACK);
      expect(checks[1]).toEqual({
        name: 'device',
        ok: false,
        detail: `the phone's device id is ffffffff00000000aaaaaaaaaaaaaaaa but the channel has ${DEVICE_ID}: its webhooks would not reach this channel`,
      });
    });

    it('should skip the device check on versions without /device', async () => {
      phone.on('GET /device', { status: 404, body: { message: 'Not Found' } });
      const checks = await sut.testConnection(channel(phone.url), CALLBACK);
      expect(checks.map((c) => c.name)).toEqual(['connection', 'webhook']);
    });

    it('should explain a webhook URL the phone refuses', async () => {
      phone.on('POST /webhooks', { status: 400, body: { message: 'url must start with https:// or http://127.0.0.1' } });
      const checks = await sut.testConnection(channel(phone.url), 'http://inbox.lan/api/comms/webhooks/android_sms');
      expect(checks[2]).toEqual({
        name: 'webhook',
        ok: false,
        detail:
          'SMS Gateway register sms:received webhook 400: url must start with https:// or http://127.0.0.1 (the phone only calls https:// URLs or http://127.0.0.1: set PUBLIC_BASE_URL)',
      });
    });
  });

  describe('requestHistory', () => {
    const since = new Date('2026-02-10T00:00:00.000Z');
    const until = new Date('2026-02-17T00:00:00.000Z');
    const period = { deviceId: DEVICE_ID, since: '2026-02-10T00:00:00.000Z', until: '2026-02-17T00:00:00.000Z' };

    it('should ask the phone to export its inbox for the period, with Basic auth', async () => {
      phone.on('POST /messages/inbox/export', { status: 202, body: {} });

      expect(await sut.requestHistory(channel(phone.url), since, until)).toEqual({ total: null });

      expect(phone.requests).toHaveLength(1);
      expect(phone.requests[0]).toMatchObject({ method: 'POST', path: '/messages/inbox/export', body: period });
      expect(phone.requests[0].headers.authorization).toBe(BASIC);
    });

    it('should use /inbox/refresh with one webhook per message on versions that moved the export', async () => {
      phone.on('POST /inbox/refresh', { status: 202, body: {} });

      expect(await sut.requestHistory(channel(phone.url), since, until)).toEqual({ total: null });

      expect(phone.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /messages/inbox/export', 'POST /inbox/refresh']);
      expect(phone.requests[1].body).toEqual({ ...period, webhookDelivery: 'Individual', triggerWebhooks: true });
    });

    it('should throw a neutral error when the phone refuses', async () => {
      phone.on('POST /messages/inbox/export', { status: 401, body: { message: 'Unauthorized' } });
      const err = await caught(sut.requestHistory(channel(phone.url), since, until));
      expect(err).toMatchObject({ code: 'auth', message: 'SMS Gateway inbox export 401: Unauthorized' });
    });
  });
});
