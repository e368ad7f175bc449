import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProviderError } from '../provider-error';
import type { ChannelContext, OutboundMedia, OutboundText } from '../provider.types';
import { EVOLUTION_WEBHOOK_EVENTS, EvolutionProvider } from './evolution.provider';
import { closedPort, RouteServer } from '../../../test/support/route-server';

const FIXTURES = resolve(__dirname, '../../../../../shared/protocols/fixtures/evolution');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const sendRequest = fixture<{ number: string; text: string }>('send_text_request.json');
const sendResponse = fixture<{ key: { id: string } }>('send_text_response.json');
const stateOpen = fixture<{ instance: { instanceName: string; state: string } }>('connection_state_open.json');

const API_KEY = 'B6D711FC-DE4D-4FD5-9365-44120E713976';
const WEBHOOK_TOKEN = 'inbox-hook-token';
const CALLBACK = 'https://inbox.example.com/webhooks/evolution';

function channel(baseUrl: string, secrets: Record<string, string> = { apiKey: API_KEY, webhookToken: WEBHOOK_TOKEN }): ChannelContext {
  return { id: 'channel-1', provider: 'evolution', config: { baseUrl, instance: 'acme-br' }, secrets, callbackUrl: CALLBACK };
}

function outbound(over: Partial<OutboundText> = {}): OutboundText {
  return { to: '5511987650001@s.whatsapp.net', address: '+5511987650001', text: sendRequest.text, replyTo: null, ...over };
}

async function sendError(sut: EvolutionProvider, ch: ChannelContext): Promise<ProviderError> {
  const err: unknown = await sut.sendText(ch, outbound()).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

describe(EvolutionProvider.name, () => {
  const evolution = new RouteServer((route) => ({ status: 404, error: 'Not Found', response: { message: [`Cannot ${route}`] } }));
  const SEND = 'POST /message/sendText/acme-br';
  let sut: EvolutionProvider;

  beforeAll(() => evolution.start());
  afterAll(() => evolution.stop());

  beforeEach(() => {
    evolution.reset();
    sut = new EvolutionProvider();
  });

  describe('sendText', () => {
    beforeEach(() => evolution.on(SEND, { status: 201, body: sendResponse }));

    it('should POST to /message/sendText/<instance>', async () => {
      await sut.sendText(channel(evolution.url), outbound());
      expect(evolution.requests.map((r) => `${r.method} ${r.path}`)).toEqual([SEND]);
    });

    it('should authenticate with the apikey header', async () => {
      await sut.sendText(channel(evolution.url), outbound());
      expect(evolution.requests[0].headers.apikey).toBe(API_KEY);
    });

    it('should send a JSON body', async () => {
      await sut.sendText(channel(evolution.url), outbound());
      expect(evolution.requests[0].headers['content-type']).toMatch(/^application\/json/);
    });

    it('should send the flat v2 body {number, text}', async () => {
      await sut.sendText(channel(evolution.url), outbound());
      expect(evolution.requests[0].body).toEqual({ number: sendRequest.number, text: sendRequest.text });
    });

    it('should quote the message it replies to', async () => {
      const replyTo = { providerMessageId: 'A5F0C2D94B7E1A3C8E6B2D4F01A9C7E3', fromMe: false, body: 'Vocês entregam em Campinas?' };
      await sut.sendText(channel(evolution.url), outbound({ replyTo }));
      expect(evolution.requests[0].body).toEqual({
        number: sendRequest.number,
        text: sendRequest.text,
        quoted: {
          key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: 'A5F0C2D94B7E1A3C8E6B2D4F01A9C7E3' },
          message: { conversation: 'Vocês entregam em Campinas?' },
        },
      });
    });

    it('should return key.id of the 201 response as the provider message id', async () => {
      await expect(sut.sendText(channel(evolution.url), outbound())).resolves.toEqual({ providerMessageId: '3EB0A7C41D9E2F8B6C05D3' });
    });

    it('should send a legacy Brazilian JID as the 12 digits WhatsApp knows', async () => {
      await sut.sendText(channel(evolution.url), outbound({ to: '553198765432@s.whatsapp.net', address: '+5531998765432' }));
      expect(evolution.requests[0].body).toMatchObject({ number: '553198765432' });
    });

    it('should not double the slash when the base URL ends with one', async () => {
      await sut.sendText(channel(`${evolution.url}/`), outbound());
      expect(evolution.requests[0].path).toBe('/message/sendText/acme-br');
    });

    it('should fail without retry when a 201 carries no key.id', async () => {
      evolution.on(SEND, { status: 201, body: { status: 'PENDING' } });
      expect(await sendError(sut, channel(evolution.url))).toMatchObject({ code: 'unknown', retryable: false });
    });
  });

  describe('sendText errors', () => {
    it.each([
      {
        name: '400 for a number not on WhatsApp',
        status: 400,
        body: {
          status: 400,
          error: 'Bad Request',
          response: { message: [{ jid: '5511900000000@s.whatsapp.net', exists: false, number: '5511900000000' }] },
        },
        code: 'invalid_recipient',
        retryable: false,
      },
      {
        name: '400 schema error (nested array of strings)',
        status: 400,
        body: { status: 400, error: 'Bad Request', response: { message: [['instance requires property "text"']] } },
        code: 'bad_request',
        retryable: false,
      },
      {
        name: '401 Unauthorized',
        status: 401,
        body: { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } },
        code: 'auth',
        retryable: false,
      },
      {
        name: '404 unknown instance',
        status: 404,
        body: { status: 404, error: 'Not Found', response: { message: ['The "acme-br" instance does not exist'] } },
        code: 'bad_request',
        retryable: false,
      },
      {
        name: '429',
        status: 429,
        body: { status: 429, error: 'Too Many Requests', response: { message: 'slow down' } },
        code: 'rate_limited',
        retryable: true,
      },
      {
        name: '500',
        status: 500,
        body: { status: 500, error: 'Internal Server Error', response: { message: 'boom' } },
        code: 'unavailable',
        retryable: true,
      },
      { name: '503 with a non-JSON body', status: 503, body: '<html>Bad gateway</html>', code: 'unavailable', retryable: true },
    ])('should map $name to $code', async ({ status, body, code, retryable }) => {
      evolution.on(SEND, { status, body });
      expect(await sendError(sut, channel(evolution.url))).toMatchObject({ code, retryable, providerCode: String(status) });
    });

    it('should name the unknown number in the error message', async () => {
      const message = [{ jid: '5511900000000@s.whatsapp.net', exists: false, number: '5511900000000' }];
      evolution.on(SEND, { status: 400, body: { status: 400, error: 'Bad Request', response: { message } } });
      expect((await sendError(sut, channel(evolution.url))).message).toContain('5511900000000');
    });

    it('should carry the schema error text in the message', async () => {
      evolution.on(SEND, {
        status: 400,
        body: { status: 400, error: 'Bad Request', response: { message: [['instance requires property "text"']] } },
      });
      expect((await sendError(sut, channel(evolution.url))).message).toContain('instance requires property "text"');
    });

    it('should map a connection reset to a retryable unavailable', async () => {
      evolution.on(SEND, 'reset');
      expect(await sendError(sut, channel(evolution.url))).toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('should map a refused connection to a retryable unavailable', async () => {
      const ch = channel(`http://127.0.0.1:${await closedPort()}`);
      expect(await sendError(sut, ch)).toMatchObject({ code: 'unavailable', retryable: true });
    });
  });

  describe('testConnection', () => {
    const STATE = 'GET /instance/connectionState/acme-br';
    const WEBHOOK = 'POST /webhook/set/acme-br';

    beforeEach(() => {
      evolution.on(STATE, { status: 200, body: stateOpen });
      evolution.on(WEBHOOK, { status: 201, body: { webhook: { instanceName: 'acme-br', webhook: { url: CALLBACK, enabled: true } } } });
    });

    it('should ask for the connection state with the apikey header', async () => {
      await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(evolution.requests[0]).toMatchObject({
        method: 'GET',
        path: '/instance/connectionState/acme-br',
        headers: { apikey: API_KEY },
      });
    });

    it('should report the connection ok when the instance is open', async () => {
      const checks = await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(checks.find((c) => c.name === 'connection')).toMatchObject({ ok: true });
    });

    it('should register the webhook with our token header and the events the inbox reads', async () => {
      await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(evolution.requests[1]).toMatchObject({ method: 'POST', path: '/webhook/set/acme-br', headers: { apikey: API_KEY } });
      expect(evolution.requests[1].body).toEqual({
        webhook: {
          enabled: true,
          url: CALLBACK,
          headers: { 'x-inbox-token': WEBHOOK_TOKEN },
          byEvents: false,
          base64: false,
          events: EVOLUTION_WEBHOOK_EVENTS,
        },
      });
    });

    it('should ask for the events in the UPPER_SNAKE names the webhook config uses', async () => {
      await sut.testConnection(channel(evolution.url), CALLBACK);
      expect((evolution.requests[1].body as { webhook: { events: string[] } }).webhook.events).toEqual(
        expect.arrayContaining([
          'MESSAGES_UPSERT',
          'MESSAGES_UPDATE',
          'MESSAGES_DELETE',
          'SEND_MESSAGE',
          'CONNECTION_UPDATE',
          'QRCODE_UPDATED',
        ]),
      );
    });

    it('should report the webhook registered', async () => {
      const checks = await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(checks.find((c) => c.name === 'webhook')).toMatchObject({ ok: true });
    });

    it('should report the connection not ok when the instance is closed', async () => {
      evolution.on(STATE, { status: 200, body: { instance: { instanceName: 'acme-br', state: 'close' } } });
      const checks = await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(checks.find((c) => c.name === 'connection')).toMatchObject({ ok: false, detail: expect.stringContaining('close') });
    });

    it('should stop before registering the webhook when the apikey is refused', async () => {
      evolution.on(STATE, { status: 401, body: { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } } });
      const checks = await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(checks).toEqual([{ name: 'connection', ok: false, detail: expect.stringContaining('Unauthorized'), state: 'needs_reauth' }]);
      expect(evolution.requests).toHaveLength(1);
    });

    it('should report the webhook not registered when Evolution refuses it', async () => {
      evolution.on(WEBHOOK, {
        status: 400,
        body: { status: 400, error: 'Bad Request', response: { message: [['webhook.url is not a url']] } },
      });
      const checks = await sut.testConnection(channel(evolution.url), CALLBACK);
      expect(checks.find((c) => c.name === 'webhook')).toMatchObject({ ok: false, detail: expect.stringContaining('webhook.url') });
    });
  });

  describe('sendMedia', () => {
    const media = (over: Partial<OutboundMedia> = {}): OutboundMedia => ({
      to: '5511987650001@s.whatsapp.net',
      address: '+5511987650001',
      kind: 'image',
      caption: 'Your receipt',
      mimeType: 'image/png',
      fileName: 'receipt.png',
      bytes: Buffer.from('PNG bytes'),
      publicUrl: 'https://inbox.example.com/api/comms/media/public/x',
      replyTo: null,
      ...over,
    });

    it('should send a photo inline as base64 with its caption to /message/sendMedia', async () => {
      evolution.on('POST /message/sendMedia/acme-br', { status: 201, body: sendResponse });
      await expect(sut.sendMedia(channel(evolution.url), media())).resolves.toEqual({ providerMessageId: sendResponse.key.id });
      expect(evolution.requests[0].headers.apikey).toBe(API_KEY);
      expect(evolution.requests[0].body).toEqual({
        number: '5511987650001',
        mediatype: 'image',
        mimetype: 'image/png',
        media: Buffer.from('PNG bytes').toString('base64'),
        fileName: 'receipt.png',
        caption: 'Your receipt',
      });
    });

    it('should send a voice note through /message/sendWhatsAppAudio', async () => {
      evolution.on('POST /message/sendWhatsAppAudio/acme-br', { status: 201, body: sendResponse });
      await sut.sendMedia(channel(evolution.url), media({ kind: 'voice', mimeType: 'audio/ogg', fileName: 'note.ogg', caption: null }));
      expect(evolution.requests[0].body).toEqual({ number: '5511987650001', audio: Buffer.from('PNG bytes').toString('base64') });
    });
  });

  describe('fetchStatus', () => {
    const FIND = 'POST /chat/findStatusMessage/acme-br';

    it('should ask for the stored updates of the message and return the highest', async () => {
      evolution.on(FIND, {
        status: 200,
        body: [
          { keyId: 'BAE5', remoteJid: '5511987650001@s.whatsapp.net', status: 'SERVER_ACK' },
          { keyId: 'BAE5', remoteJid: '5511987650001@s.whatsapp.net', status: 'READ' },
          { keyId: 'BAE5', remoteJid: '5511987650001@s.whatsapp.net', status: 'DELIVERY_ACK' },
        ],
      });
      await expect(sut.fetchStatus(channel(evolution.url), 'BAE5', '5511987650001@s.whatsapp.net')).resolves.toEqual({
        status: 'read',
        error: null,
      });
      expect(evolution.requests[0].body).toEqual({ where: { remoteJid: '5511987650001@s.whatsapp.net', id: 'BAE5' }, offset: 50, page: 1 });
    });

    it('should learn nothing from an empty answer', async () => {
      evolution.on(FIND, { status: 200, body: [] });
      await expect(sut.fetchStatus(channel(evolution.url), 'BAE5', '5511987650001@s.whatsapp.net')).resolves.toBeNull();
    });
  });
});
