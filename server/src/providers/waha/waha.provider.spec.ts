import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProviderError } from '../provider-error';
import type { ChannelContext, OutboundMedia, OutboundText } from '../provider.types';
import { WAHA_WEBHOOK_EVENTS, WahaProvider } from './waha.provider';
import { closedPort, RouteServer } from '../../../test/support/route-server';

const FIXTURES = resolve(__dirname, '../../../../../shared/protocols/fixtures/waha');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const sendRequest = fixture<{ session: string; chatId: string; text: string }>('send_text_request.json');
const sendResponseWebjs = fixture<{ id: { _serialized: string } }>('send_text_response_webjs.json');
const sessionOpen = fixture<{ config: { webhooks: { url: string }[] } } & Record<string, unknown>>('connection_state_open.json');
const sessionStatusWorking = fixture<{ payload: { status: string }; me: { id: string } }>('session_status_working.json');

const API_KEY = 'waha-api-key-demo';
const HMAC_KEY = 'waha-hmac-demo-key';
const CALLBACK = 'https://inbox.example.com/webhooks/waha';
const SESSION_PATH = '/api/sessions/support-in';

function channel(baseUrl: string, secrets: Record<string, string> = { apiKey: API_KEY, hmacKey: HMAC_KEY }): ChannelContext {
  return {
    id: 'channel-1',
    provider: 'waha',
    config: { baseUrl, session: 'support-in' },
    secrets,
    callbackUrl: 'https://inbox.example.com/api/comms/webhooks/waha',
  };
}

function outbound(over: Partial<OutboundText> = {}): OutboundText {
  return { to: '919876543210@c.us', address: '+919876543210', text: sendRequest.text, replyTo: null, ...over };
}

async function caught(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

describe(WahaProvider.name, () => {
  const waha = new RouteServer((route) => ({ statusCode: 404, message: `Cannot ${route}`, error: 'Not Found' }));
  const SEND = 'POST /api/sendText';
  let sut: WahaProvider;

  beforeAll(() => waha.start());
  afterAll(() => waha.stop());

  beforeEach(() => {
    waha.reset();
    sut = new WahaProvider();
  });

  describe('rawAddressForPhone', () => {
    it('should address a phone as <digits>@c.us', () => {
      expect(sut.rawAddressForPhone('+919876543210')).toBe('919876543210@c.us');
    });
  });

  describe('sendText', () => {
    beforeEach(() => waha.on(SEND, { status: 201, body: sendResponseWebjs }));

    it('should POST the fixture body to /api/sendText with X-Api-Key', async () => {
      await sut.sendText(channel(waha.url), outbound());

      expect(waha.requests).toHaveLength(1);
      const [req] = waha.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe('/api/sendText');
      expect(req.headers['x-api-key']).toBe(API_KEY);
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.body).toEqual(sendRequest);
    });

    it.each([
      ['an @s.whatsapp.net JID', '919876543210@s.whatsapp.net', '919876543210@c.us'],
      ['an E.164 number', '+919876543210', '919876543210@c.us'],
      ['a JID with a device suffix', '919876543210:14@s.whatsapp.net', '919876543210@c.us'],
      ['an @lid address', '186273849501234@lid', '186273849501234@lid'],
    ])('should send to %s as chatId %s', async (_case, to, chatId) => {
      await sut.sendText(channel(waha.url), outbound({ to }));
      expect(waha.requests[0].body).toMatchObject({ chatId });
    });

    it('should quote the replied message by its serialized id', async () => {
      const replyTo = { providerMessageId: 'false_919876543210@c.us_3A0B6E2D91C47F58A2E1', fromMe: false, body: 'Namaste!' };
      await sut.sendText(channel(waha.url), outbound({ replyTo }));
      expect(waha.requests[0].body).toMatchObject({ reply_to: 'false_919876543210@c.us_3A0B6E2D91C47F58A2E1' });
    });

    it('should take the id from the WEBJS id._serialized', async () => {
      const result = await sut.sendText(channel(waha.url), outbound());
      expect(result).toEqual({ providerMessageId: sendResponseWebjs.id._serialized });
    });

    it('should build the id from the NOWEB Baileys key', async () => {
      waha.on(SEND, {
        status: 201,
        body: {
          key: { remoteJid: '919876543210@s.whatsapp.net', fromMe: true, id: 'BAE5F2C8D1A3' },
          message: { extendedTextMessage: { text: sendRequest.text } },
          messageTimestamp: '1763647422',
          status: 'PENDING',
        },
      });
      const result = await sut.sendText(channel(waha.url), outbound());
      expect(result).toEqual({ providerMessageId: 'true_919876543210@c.us_BAE5F2C8D1A3' });
    });

    it('should default fromMe to true when the key omits it', async () => {
      waha.on(SEND, { status: 200, body: { key: { remoteJid: '186273849501234@lid', id: 'BAE5F2C8D1A4' } } });
      const result = await sut.sendText(channel(waha.url), outbound({ to: '186273849501234@lid' }));
      expect(result.providerMessageId).toBe('true_186273849501234@lid_BAE5F2C8D1A4');
    });

    it('should accept a serialized string id', async () => {
      waha.on(SEND, { status: 201, body: { id: 'true_919876543210@c.us_GOWS0001' } });
      expect((await sut.sendText(channel(waha.url), outbound())).providerMessageId).toBe('true_919876543210@c.us_GOWS0001');
    });

    it('should fail without retry when the answer has no id', async () => {
      waha.on(SEND, { status: 201, body: {} });
      expect(await caught(sut.sendText(channel(waha.url), outbound()))).toMatchObject({ code: 'unknown', retryable: false });
    });

    describe('errors', () => {
      it('should map 422 (session not WORKING) to a retryable unavailable with WAHA error text', async () => {
        waha.on(SEND, {
          status: 422,
          body: {
            error: 'Session status is not as expected. Try again later or restart the session',
            session: 'support-in',
            status: 'SCAN_QR_CODE',
            expected: ['WORKING'],
          },
        });
        const err = await caught(sut.sendText(channel(waha.url), outbound()));
        expect(err).toMatchObject({ code: 'unavailable', retryable: true, providerCode: '422' });
        expect(err.message).toContain('Session status is not as expected');
        expect(err.message).toContain('SCAN_QR_CODE');
      });

      it('should map 404 (session not found) to bad_request', async () => {
        waha.on(SEND, { status: 404, body: { statusCode: 404, message: 'Session not found', error: 'Not Found' } });
        const err = await caught(sut.sendText(channel(waha.url), outbound()));
        expect(err).toMatchObject({ code: 'bad_request', retryable: false });
        expect(err.message).toContain('Session not found');
      });

      it.each([
        [401, 'auth', false],
        [403, 'auth', false],
        [429, 'rate_limited', true],
        [500, 'unavailable', true],
        [502, 'unavailable', true],
        [400, 'bad_request', false],
      ])('should map %i to %s', async (status, code, retryable) => {
        waha.on(SEND, { status, body: { statusCode: status, message: 'nope' } });
        expect(await caught(sut.sendText(channel(waha.url), outbound()))).toMatchObject({
          code,
          retryable,
          providerCode: String(status),
        });
      });

      it('should map a dropped connection to a retryable unavailable', async () => {
        waha.on(SEND, 'reset');
        expect(await caught(sut.sendText(channel(waha.url), outbound()))).toMatchObject({ code: 'unavailable', retryable: true });
      });

      it('should map a closed port to a retryable unavailable', async () => {
        const port = await closedPort();
        expect(await caught(sut.sendText(channel(`http://127.0.0.1:${port}`), outbound()))).toMatchObject({
          code: 'unavailable',
          retryable: true,
        });
      });
    });
  });

  describe('testConnection', () => {
    const GET = `GET ${SESSION_PATH}`;
    const PUT = `PUT ${SESSION_PATH}`;
    const stoppedSession = { name: 'support-in', status: 'STOPPED', config: { metadata: { tenant: 'acme-in' } }, me: null };

    it('should report a WORKING session as connected with the account number', async () => {
      waha.on(GET, { status: 200, body: sessionOpen });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(checks[0]).toEqual({
        name: 'connection',
        ok: true,
        detail: 'session status: WORKING, account +919812300000',
        state: 'connected',
        qr: null,
        address: '+919812300000',
      });
      expect(waha.requests[0]).toMatchObject({ method: 'GET', path: SESSION_PATH, headers: { 'x-api-key': API_KEY } });
    });

    it('should agree with the session.status webhook fixture on the session state', async () => {
      waha.on(GET, { status: 200, body: { ...sessionOpen, status: sessionStatusWorking.payload.status } });
      const [connection] = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(connection.ok).toBe(true);
      expect(connection.detail).toContain(sessionStatusWorking.me.id.split('@')[0]);
    });

    it('should skip the update when our webhook is already registered (an update restarts the session)', async () => {
      waha.on(GET, { status: 200, body: sessionOpen });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(checks[1]).toMatchObject({ name: 'webhook', ok: true });
      expect(waha.requests.map((r) => r.method)).toEqual(['GET']);
    });

    it('should register the webhook with PUT /api/sessions/{session}, keeping the rest of the config', async () => {
      waha.on(GET, { status: 200, body: stoppedSession });
      waha.on(PUT, { status: 200, body: stoppedSession });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);

      expect(checks).toEqual([
        { name: 'connection', ok: false, detail: 'session status: STOPPED', state: 'disconnected', qr: null, address: null },
        { name: 'webhook', ok: true, detail: `webhook registered: ${CALLBACK}` },
      ]);
      const put = waha.requests[1];
      expect(put).toMatchObject({ method: 'PUT', path: SESSION_PATH, headers: { 'x-api-key': API_KEY } });
      expect(put.body).toEqual({
        config: {
          metadata: { tenant: 'acme-in' },
          webhooks: [
            {
              url: CALLBACK,
              events: ['message', 'message.any', 'message.reaction', 'message.ack', 'message.revoked', 'session.status'],
              hmac: { key: HMAC_KEY },
              retries: { policy: 'exponential', delaySeconds: 2, attempts: 10 },
            },
          ],
        },
      });
    });

    it('should send hmac null without an hmacKey and replace a stale webhook of ours', async () => {
      waha.on(GET, { status: 200, body: sessionOpen });
      waha.on(PUT, { status: 200, body: sessionOpen });
      await sut.testConnection(channel(waha.url, { apiKey: API_KEY }), CALLBACK);

      const put = waha.requests[1].body as { config: { metadata: unknown; webhooks: { url: string; hmac: unknown; events: string[] }[] } };
      expect(put.config.metadata).toEqual({ tenant: 'acme-in' });
      expect(put.config.webhooks).toHaveLength(1);
      expect(put.config.webhooks[0]).toMatchObject({ url: CALLBACK, hmac: null, events: WAHA_WEBHOOK_EVENTS });
    });

    it('should keep webhooks that are not ours', async () => {
      const other = { url: 'https://crm.example.com/hook', events: ['message'] };
      waha.on(GET, { status: 200, body: { ...stoppedSession, config: { webhooks: [other] } } });
      waha.on(PUT, { status: 200, body: {} });
      await sut.testConnection(channel(waha.url), CALLBACK);
      const put = waha.requests[1].body as { config: { webhooks: { url: string }[] } };
      expect(put.config.webhooks.map((w) => w.url)).toEqual([other.url, CALLBACK]);
    });

    it('should report a failed registration as a second check', async () => {
      waha.on(GET, { status: 200, body: stoppedSession });
      waha.on(PUT, { status: 403, body: { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' } });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(checks[1]).toEqual({ name: 'webhook', ok: false, detail: 'WAHA 403: Forbidden resource' });
    });

    it('should stop at an unknown session', async () => {
      waha.on(GET, { status: 404, body: { statusCode: 404, message: 'Session not found', error: 'Not Found' } });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(checks).toEqual([{ name: 'connection', ok: false, detail: 'WAHA 404: Session not found' }]);
    });

    it('should report a wrong API key', async () => {
      waha.on(GET, { status: 401, body: { statusCode: 401, message: 'Unauthorized' } });
      const checks = await sut.testConnection(channel(waha.url), CALLBACK);
      expect(checks).toEqual([{ name: 'connection', ok: false, detail: 'WAHA 401: Unauthorized', state: 'needs_reauth' }]);
    });

    it('should report an unreachable WAHA', async () => {
      const port = await closedPort();
      const checks = await sut.testConnection(channel(`http://127.0.0.1:${port}`), CALLBACK);
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ name: 'connection', ok: false, detail: expect.stringContaining('unreachable') });
    });
  });

  describe('fetchMedia', () => {
    const FILE = '/api/files/support-in/false_447700900123@c.us_3A5D0C77E1B94F2A6C18.jpeg';
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x80, 0xff, 0xd9]);

    beforeEach(() => waha.on(`GET ${FILE}`, { status: 200, bytes: jpeg, contentType: 'image/jpeg' }));

    it('should GET the media URL with X-Api-Key and return the bytes', async () => {
      const media = await sut.fetchMedia(channel(waha.url), `${waha.url}${FILE}`);
      expect(media).toEqual({ bytes: jpeg, mimeType: 'image/jpeg', fileName: 'false_447700900123@c.us_3A5D0C77E1B94F2A6C18.jpeg' });
      expect(waha.requests[0]).toMatchObject({ method: 'GET', path: FILE, headers: { 'x-api-key': API_KEY } });
    });

    it('should fetch a URL on another host (WAHA_BASE_URL misconfigured) from the baseUrl', async () => {
      const media = await sut.fetchMedia(channel(waha.url), `https://waha.acme.example${FILE}`);
      expect(media.bytes).toEqual(jpeg);
      expect(waha.requests).toHaveLength(1);
    });

    it('should fetch a relative URL from the baseUrl', async () => {
      expect((await sut.fetchMedia(channel(`${waha.url}/`), FILE)).bytes).toEqual(jpeg);
    });

    it('should say the file expired on 404', async () => {
      const err = await caught(sut.fetchMedia(channel(waha.url), `${waha.url}/api/files/support-in/gone.oga`));
      expect(err).toMatchObject({ code: 'bad_request', retryable: false });
      expect(err.message).toContain('WHATSAPP_FILES_LIFETIME');
    });

    it('should map 401 to auth', async () => {
      waha.on(`GET ${FILE}`, { status: 401, body: { message: 'Unauthorized' } });
      expect(await caught(sut.fetchMedia(channel(waha.url), FILE))).toMatchObject({ code: 'auth' });
    });

    it('should map a dropped connection to a retryable unavailable', async () => {
      waha.on(`GET ${FILE}`, 'reset');
      expect(await caught(sut.fetchMedia(channel(waha.url), FILE))).toMatchObject({ code: 'unavailable', retryable: true });
    });
  });

  describe('sendMedia', () => {
    const media = (over: Partial<OutboundMedia> = {}): OutboundMedia => ({
      to: '919876543210@c.us',
      address: '+919876543210',
      kind: 'image',
      caption: 'Invoice attached',
      mimeType: 'image/jpeg',
      fileName: 'invoice.jpg',
      bytes: Buffer.from('JPEG bytes'),
      publicUrl: 'https://inbox.example.com/api/comms/media/public/x',
      replyTo: null,
      ...over,
    });

    it('should send a photo inline with sendImage and X-Api-Key', async () => {
      waha.on('POST /api/sendImage', { status: 201, body: sendResponseWebjs });
      await expect(sut.sendMedia(channel(waha.url), media())).resolves.toEqual({ providerMessageId: sendResponseWebjs.id._serialized });
      expect(waha.requests[0].headers['x-api-key']).toBe(API_KEY);
      expect(waha.requests[0].body).toEqual({
        session: 'support-in',
        chatId: '919876543210@c.us',
        file: { mimetype: 'image/jpeg', filename: 'invoice.jpg', data: Buffer.from('JPEG bytes').toString('base64') },
        reply_to: null,
        caption: 'Invoice attached',
      });
    });

    it.each([
      ['voice', 'sendVoice'],
      ['video', 'sendVideo'],
      ['document', 'sendFile'],
    ] as const)('should send a %s with %s', async (kind, route) => {
      waha.on(`POST /api/${route}`, { status: 201, body: sendResponseWebjs });
      await sut.sendMedia(channel(waha.url), media({ kind }));
      expect(waha.requests.map((r) => r.path)).toEqual([`/api/${route}`]);
    });
  });

  describe('fetchStatus', () => {
    const ID = 'true_919876543210@c.us_3EB0F1C2A9D84B7E6051';
    const GET_MESSAGE = `GET /api/support-in/chats/919876543210%40c.us/messages/${encodeURIComponent(ID)}?downloadMedia=false`;

    it('should read the ack of the message by id', async () => {
      waha.on(GET_MESSAGE, { status: 200, body: { id: ID, ack: 3, ackName: 'READ' } });
      await expect(sut.fetchStatus(channel(waha.url), ID, '919876543210@c.us')).resolves.toEqual({ status: 'read', error: null });
      expect(waha.requests[0].headers['x-api-key']).toBe(API_KEY);
    });

    it('should learn nothing when WAHA does not know the message (or the route)', async () => {
      await expect(sut.fetchStatus(channel(waha.url), ID, '919876543210@c.us')).resolves.toBeNull();
    });
  });
});
